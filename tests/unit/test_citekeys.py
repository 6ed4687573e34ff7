from desktop_app.domain.citekeys import assign_key, base_key, is_valid_key, unique_key
from desktop_app.domain.models import Author, Paper


def test_author_year_first_significant_word():
    paper = Paper(title="Prototypical Networks for Few-shot Learning",
                  authors=[Author(family="Snell", given="Jake")], year=2017)
    assert base_key(paper) == "snell2017prototypical"


def test_accented_family_name_is_folded():
    paper = Paper(title="On the Theory", authors=[Author(family="Dörner", given="D.")], year=2020)
    assert base_key(paper) == "dorner2020theory"


def test_without_author_or_year_the_key_is_readable_and_valid():
    paper = Paper(title="SentinelLMs: Encrypted Input Adaptation")
    key = base_key(paper)
    assert key == "sentinellmsencrypted"
    assert is_valid_key(key)


def test_empty_paper_still_gets_a_valid_key():
    assert is_valid_key(base_key(Paper()))


def test_clashes_get_letter_suffixes():
    taken = {"smith2020deep", "smith2020deepa"}
    assert unique_key("smith2020deep", taken.__contains__) == "smith2020deepb"


def test_valid_free_imported_key_is_kept_and_a_taken_one_replaced():
    paper = Paper(citekey="Vaswani:2017", title="Attention Is All You Need",
                  authors=[Author(family="Vaswani", given="Ashish")], year=2017)
    assert assign_key(paper, lambda k: False) == "Vaswani:2017"
    assert assign_key(paper, {"Vaswani:2017"}.__contains__) == "vaswani2017attention"


def test_invalid_imported_key_is_replaced():
    paper = Paper(citekey="has space", title="Deep Learning", year=2015)
    assert assign_key(paper, lambda k: False) == "2015deeplearning"
