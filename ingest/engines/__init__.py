"""Engines: how the same tasks (`ingest.work.run_task`) are scheduled. Each engine
takes the tasks and yields their results as they finish, in any order; the driver
(`ingest.pipeline`) commits them. Engines never touch the state database."""
