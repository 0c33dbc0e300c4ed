"""The repair engine through its public API: data-driven cases and the seeds."""

from __future__ import annotations

import re

import pytest
from conftest import SEEDS, corrupt, load_cases

import ingest

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff61-\uff9f]")


def _case_id(case: dict) -> str:
    return case["comment"][:40]


@pytest.mark.parametrize("case", load_cases("repair.json"), ids=_case_id)
def test_case(case: dict) -> None:
    if "chain" in case:
        original = case["original"]
        broken = corrupt(original, case["chain"], errors="replace")
    else:
        original, broken = case["expected"], case["input"]
    result = ingest.repair(broken)
    assert result.text == original
    assert ingest.fix_text(broken) == original
    assert result.lossy == case.get("lossy", False)
    assert ingest.apply_steps(broken, result.steps) == result.text
    if "report" in case:
        assert [s.kind for s in result.steps] == [case["report"]]


def test_seed_002_is_repaired(seed_broken: str) -> None:
    result = ingest.repair(seed_broken)
    assert not CJK.search(result.text)
    for expected in ("they’re", "government’s", "£5bn"):
        assert expected in result.text
    lossy = [s for s in result.steps if s.kind == "lossy"]
    assert len(lossy) == 5
    assert all(s.before == "鈥\ufffd" and s.after in "–—" for s in lossy)
    assert result.lossy and 0 < result.confidence < 1
    assert ingest.apply_steps(seed_broken, result.steps) == result.text


def test_dictionary_of_clean_words_is_untouched() -> None:
    """A word list with counts (as jieba's dictionary is): thousands of clean Chinese
    words, single characters among them, and one entry whose character is glued to
    Latin letters. That one strong candidate made EUC-JP the known decoder, and the
    list's lone characters were then read as Cyrillic and Greek letters (于 as в).
    (The glued entry itself is still read as "4sŹ": a known false repair.)"""
    import wordfreq

    words = wordfreq.top_n_list("zh", 3000)
    rows = [f"{w} {len(words) - i}" for i, w in enumerate(words)] + ["4s店 1053", "于 2055500"]
    fixed = ingest.fix_text("\n".join(rows) + "\n").splitlines()
    assert len(fixed) == len(rows)
    assert [a for a, b in zip(rows, fixed) if a != b] in ([], ["4s店 1053"])


def test_table_of_characters_alone_is_untouched() -> None:
    """A collation table (as glibc's iso14651_t1_pinyin is): one Chinese character
    per row between a comment sign and a count, with nothing around it. Each decoder
    reads a few of them as symbols or accented letters by chance ("#脿0" as GBK's
    "#à0", "#蔵0" as EUC-JP's "#¢0"), each strong alone; 154 rows of that file were
    changed, across four decoders. A text that a decoder misread is its mojibake
    throughout: here each reads a small share of the characters alone."""
    import wordfreq

    chars = [w for w in wordfreq.top_n_list("zh", 20000) if len(w) == 1]
    assert len(chars) > 1000
    rows = [f"<U{ord(c):04X}> IGNORE\t#{c}{i % 50}" for i, c in enumerate(chars)]
    text = "\n".join(rows) + "\n"
    assert ingest.fix_text(text) == text
    # Mojibake of symbols alone is still repaired where it is what the text holds.
    assert ingest.fix_text("漏 2020 Example Ltd\nprice: 拢5\n") == "© 2020 Example Ltd\nprice: £5\n"


def test_lost_bytes_between_quotes_are_no_combining_sign() -> None:
    """Three U+FFFD alone between quotes were filled with a Tamil virama
    (a combining sign, no letter of the text); a mark or nothing is what fits."""
    import unicodedata

    fixed = ingest.fix_text("'\ufffd\ufffd\ufffd'")
    assert not any(unicodedata.category(c).startswith("M") for c in fixed)


def test_seed_000_is_untouched(seed_clean: str) -> None:
    result = ingest.repair(seed_clean)
    assert result.text == seed_clean
    assert not result.changed and result.steps == ()


LATIN_CHAINS = [["utf-8", "cp1252"], ["utf-8", "latin-1"]]
CJK_CHAINS = [["utf-8", c] for c in
              ("gbk", "gb18030", "big5", "cp950", "shift_jis", "cp932", "euc_jp", "euc_kr", "cp949")]
LAYERED = [["utf-8", "gbk", "utf-8", "cp1252"], ["utf-8", "cp1252", "utf-8", "cp1252"],
           ["utf-8", "shift_jis", "utf-8", "cp1252"]]


def _seed_lines() -> list[str]:
    text = (SEEDS / "000_dc3c457c942cfdd8.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if not line.isascii()]


@pytest.mark.parametrize("chain", LATIN_CHAINS + CJK_CHAINS + LAYERED, ids="→".join)
def test_seed_lines_strict_chains(chain: list[str]) -> None:
    """Every non-ASCII line of the clean seed, broken by a chain that loses no byte."""
    tried = 0
    for line in _seed_lines():
        try:
            broken = corrupt(line, chain)
        except UnicodeDecodeError:
            continue  # this chain would lose bytes on this line: not a strict case
        tried += 1
        result = ingest.repair(broken)
        assert result.text == line, (broken, result.steps)
        assert ingest.apply_steps(broken, result.steps) == result.text
        assert result.changed and all(s.chain[0] == "utf-8" for s in result.steps)
    assert tried > 0 or chain[1] in ("big5", "cp950", "euc_jp", "euc_kr", "cp949")


def test_span_inside_clean_text(seed_clean: str) -> None:
    lines = seed_clean.splitlines()
    broken_line = corrupt(lines[3], ["utf-8", "gbk"], errors="replace")
    text = "\n".join(lines[:3] + [broken_line] + lines[4:])
    result = ingest.repair(text)
    clean_part = "\n".join(lines[:3]) + "\n"
    assert result.text.startswith(clean_part)
    assert all(s.start >= len(clean_part) for s in result.steps)


def test_whole_lost_characters_filled_only_under_an_established_family() -> None:
    # Big5 loses both bytes of "à" (C3 A0) and all three of "–"; the "é"s it reads
    # as "矇" tell the document's decoder, so the gaps are filled from context.
    line = "la légende de Molière, née à Paris (1622–1673), était célèbre"
    broken = corrupt(line, ["utf-8", "big5"], errors="replace")
    assert "\ufffd\ufffd " in broken
    result = ingest.repair(broken)
    assert result.text == line and result.lossy
    assert ingest.apply_steps(broken, result.steps) == result.text
    # Alone, a run of U+FFFD says nothing of its decoder; read as one lost character
    # per run (`ASCII_READING`), two bytes between spaces among ASCII letters could
    # be à, © or °: left as it is, reported.
    alone = corrupt("née à Paris", ["utf-8", "big5"], errors="replace").replace("\u77c7", "e")
    assert ingest.fix_text(alone) == alone


def test_legacy_thai_read_as_latin1() -> None:
    line = "ภาษาไทยเป็นภาษาราชการของประเทศไทย"
    for codec in ("latin-1", "cp1252"):
        broken = line.encode("tis_620").decode(codec)
        assert ingest.fix_text(broken) == line
    assert ingest.fix_text(line) == line


@pytest.mark.parametrize(("line", "codec"), [
    ("Kurs (1990–2000) i ‘cytat’", "cp437"), ("the “best” years (1990–2000)", "cp437"),
    ("Le prix (1990–2000) d’un café", "cp437"), ("Mary’s piñata", "cp437"),
    ("Bob’s Müsli", "cp437"), ("Das Mädchen", "mac_roman")])
def test_dos_and_mac_mojibake_is_repaired_never_read_in_pieces(line: str, codec: str) -> None:
    """UTF-8 read as CP437: "–" is "ΓÇô". ftfy leaves a line whose only mojibake is
    punctuation; its "Çô" alone, read back as CP1253 or EUC-KR, once made "ΓΗτ" or
    "Γ⑵", other garbage in place of the first. ftfy also leaves some accents read
    as Mac Roman inside a word ("M√§dchen")."""
    broken = line.encode("utf-8").decode(codec)
    assert ingest.fix_text(broken) == line


@pytest.mark.parametrize("line", ["┌┼┐┼┐ table ┼┐┼┐", "area = √π r", "├┤ menu ├┤",
                                  "Note: ¬´ means not"])
def test_dos_and_mac_symbols_are_text(line: str) -> None:
    """Line art and math whose CP437 or Mac Roman bytes are UTF-8 ("┼┐" is ſ, "√π"
    is ù, "¬´" is «): text of their own, as ftfy's negative cases say. ("ñ" or "ü"
    read as CP437, "├▒" and "├╝", are taken inside a word, or once a stronger run
    of the line has shown the page.)"""
    assert ingest.fix_text(line) == line


def test_known_words_by_case() -> None:
    from ingest import plausible
    assert plausible.known_word_cost("человек") is not None
    assert plausible.known_word_cost("Человек") == plausible.known_word_cost("человек") + \
        plausible.CAPITAL
    assert plausible.known_word_cost("ЧЕЛОВЕК") is None   # capitals: not how lists write it
    assert plausible.known_word_cost("xqzjv") is None


def test_modifier_apostrophe_costed_as_apostrophe() -> None:
    # U+02BC, in language names (CLDR's Gwichʼin), read as GBK is 始: a common hanzi
    # that the letter model once found as likely as an unseen "letter".
    line = "haoussa, gwichʼin et kwakʼwala"
    broken = corrupt(line, ["utf-8", "gbk"])
    assert "\u59cb" in broken
    assert ingest.fix_text(broken) == line
    assert ingest.fix_text(line) == line


@pytest.mark.parametrize("codec", ["euc_jp", "gbk", "shift_jis"])
def test_weak_run_before_strong_ones_keeps_text_order(codec: str) -> None:
    # A run whose decoding gains little (ï read as EUC-JP is 誰, common Japanese) is
    # decided after the line's strong repairs; its edit must still go in text order,
    # or the layer rewrites the text twice over (it once repeated whole phrases).
    line = "le thaï, le tigré, le tibétain et le café"
    broken = corrupt(line, ["utf-8", codec])
    result = ingest.repair(broken)
    assert ingest.apply_steps(broken, result.steps) == result.text
    assert len(result.text) <= len(line) + 2


def test_lost_letters_of_a_word_of_capitals_are_capitals() -> None:
    # Polish read as Shift-JIS loses the second byte of ć/Ć (C4 87, C4 86) before a
    # space or a mark: in a word of capitals (a menu label) the letter is a capital,
    # two lost in a row too (USUNĄĆ, filled as one piece and spelt by the word lists).
    line = 'Opcje: "USUNĄĆ", KOPIOWAĆ albo ZAMKNĄĆ; zwykły tekst się nie zmienia.'
    broken = corrupt(line, ["utf-8", "shift_jis"], errors="replace")
    assert broken.count("\ufffd") >= 5
    assert ingest.fix_text(broken) == line


@pytest.mark.parametrize("codec", ["big5", "euc_jp", "cp950"])
def test_a_reading_of_lost_bytes_is_not_read_again(codec: str) -> None:
    # A double-byte decoder loses half the bytes of CJK UTF-8; the first round reads
    # what survives ("�京�������京��庭��大…"), its U+FFFD standing for whole
    # characters. A second round once read that again as GBK mojibake, keeping one
    # combining mark of its characters (chain utf-8 > gbk > utf-8 > big5).
    line = "東京の古い喫茶店、京都の庭園、大阪の屋台、札幌の雪祭りと那覇の市場"
    broken = corrupt(line, ["utf-8", codec], errors="replace")
    result = ingest.repair(broken)
    assert ingest.apply_steps(broken, result.steps) == result.text
    assert all(len(s.chain) <= 2 for s in result.steps), [s.chain for s in result.steps]
    assert ingest.fix_text(result.text) == result.text


@pytest.mark.parametrize("codec", ["big5", "cp950", "euc_jp", "euc_kr"])
def test_every_byte_lost_is_no_cjk_letter(codec: str) -> None:
    # These decoders lose all three bytes of an en dash between digits ("1990���2020");
    # the cheapest CJK character, 的, once filled it. From the context alone a lost
    # quote or dash can be told; a CJK character cannot.
    line = "横浜市の人口統計 (1990–2020)、東京都の人口統計 (1985–2015)、大阪府の人口統計"
    broken = corrupt(line, ["utf-8", codec], errors="replace")
    assert "1990\ufffd\ufffd\ufffd2020" in broken
    result = ingest.fix_text(broken)
    assert "(1990–2020)" in result and "(1985–2015)" in result
    assert "的" not in result


def test_words_complete_fills_slots_from_the_lists() -> None:
    from ingest import words

    # го?у?дарственной: the gap fillings the bytes allow, one slot per gap.
    slots = [("р", "с", "т"), ("у", "ф")]
    units = ["го", slots[0], "уда", ("р", "с"), "ственной"]
    assert words.complete(units, ["р", "с"]) == ["с", "р"]
    # Already a word of the lists: kept, left to the letter model and the context.
    assert words.complete(["закон", ("у", "ы")], ["у"]) == ["у"]
    # No word fits: nothing is invented.
    assert words.complete(["qzx", ("q", "z")], ["q"]) is None


def test_words_likeliest_spells_words_no_list_holds() -> None:
    from ingest import words

    units = ["селькуп", ("с", "я", "р"), "кий"]
    assert words.complete(units, ["я"]) is None
    assert words.fill(units, ["я"]) == ["с"]
    # A clear spelling already: left as it is.
    assert words.likeliest(["селькуп", ("с", "я"), "кий"], ["с"]) is None


def test_ascii_reading_never_settles_a_document() -> None:
    # The lost quotes of the first line are read as ASCII's gaps; that reading must
    # not become the document's decoder and shut out EUC-KR for the Greek line.
    head = "It’s the “best” time – 1966–1987, isn’t it? That’s it.\n"
    broken = corrupt(head + "Ελληνικά γράμματα. Größe Straße.\n", ["utf-8", "euc_kr"],
                     errors="replace")
    last = ingest.fix_text(broken).splitlines()[-1]
    assert "γράμματα" in last and "Größe Straße" in last


def test_dense_loss_is_read_as_far_as_the_bytes_go() -> None:
    # UTF-8 Chinese or Korean read as Big5 or EUC-KR loses about half its bytes.
    # What comes back holds characters of the line and U+FFFD, never the decoder's
    # characters, nor letters of another script read into the gaps, and a second
    # repair leaves it as it is.
    line = "我們今天在台北開會，討論新的計畫和明年的預算。"
    broken = line.encode("utf-8").decode("big5", errors="replace")
    result = ingest.repair(broken)
    assert result.changed and result.lossy
    assert set(result.text) <= set(line) | {"\ufffd"}
    assert set(result.text) & set(line) - set(" ，。.")
    assert ingest.fix_text(result.text) == result.text


@pytest.mark.parametrize("codec", ["big5", "euc_kr", "euc_jp"])
def test_lost_letters_in_words_of_capitals_are_capitals(codec: str) -> None:
    # Big5, EUC-KR and EUC-JP lose both bytes of Ł and Ó: "G����WNY". Small letters
    # and symbols, cheaper alone, took the places each gap of the run gets, and the
    # run came back as "Gà\xa0WNY" or stayed U+FFFD. The last lines show the decoder;
    # they lose too much to come back whole themselves.
    capitals = ["URZĄDZENIE: PANEL GŁÓWNY 01", "USTAWIENIA GŁÓWNE", "KRÓTKA NAZWA",
                "PANEL GŁÓWNY", "MÜNCHEN, DÜSSELDORF, KÖLN", "ÉCOLE SUPÉRIEURE"]
    text = "\n".join([*capitals, "ŻÓŁTA ŁÓDŹ", "ΑΘΗΝΑ ΕΛΛΑΔΑ ΚΡΗΤΗ", "МОСКВА И САНКТ-ПЕТЕРБУРГ"])
    fixed = ingest.fix_text(text.encode("utf-8").decode(codec, errors="replace"))
    assert fixed.split("\n")[:len(capitals)] == capitals


@pytest.mark.parametrize("codec", ["big5", "cp950"])
def test_lost_letters_before_the_decoder_shows_are_read_knowing_it(codec: str) -> None:
    # Runs of U+FFFD alone are filled only under a decoder the document is known to
    # be in; here the later lines show Big5 ("中文" is read back whole), and the first
    # ones were left as "SIEŤ" and "G����WNY" when met, before the text had shown it.
    words = ["SIEĆ", "PANEL GŁÓWNY", "USTAWIENIA GŁÓWNE", "中文", "ESPAÑOL", "TÜRKÇE",
             "FRANÇAIS", "DEUTSCH"]
    lines = [f'"{i:02d}";"{word}"' for i, word in enumerate(words)]
    text = "\n".join(lines)
    fixed = ingest.fix_text(text.encode("utf-8").decode(codec, errors="replace"))
    assert fixed == text


def test_lost_cyrillic_letters_find_rarer_words() -> None:
    """Russian read as Big5 loses the second byte of half its letters; only the word
    lists decide such words, so they must hold rarer ones (динар is Russian's
    100,000th word): the lists of scripts other than Latin are read deep."""
    text = "Сербский динар и бахрейнский динар."
    got = ingest.fix_text(text.encode("utf-8").decode("big5", errors="replace"))
    assert got.count("динар") == 2 and "бахрейнский" in got


def test_lost_letters_put_no_capital_inside_a_small_word() -> None:
    """A gap whose fillings hold the whole word ("мак??ва") is looked up without
    case: the capital О of "макОва" (О and у lose the same bytes in Big5) once
    came back inside a word of small letters."""
    text = "Языки: вьетнамский, макува и волапюк."
    got = ingest.fix_text(text.encode("utf-8").decode("big5", errors="replace"))
    assert not re.search(r"[а-я][А-Я]", got), got
