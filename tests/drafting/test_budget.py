"""What to send within a token budget, and what it costs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer.drafting.budget import CORE_SECTIONS, BudgetPlan, plan_full_text
from summarizer.drafting.prices import PriceTable, cost_usd, load_price_table
from summarizer.drafting.text_split import split_paragraphs, split_sentences
from summarizer.errors import ConfigError
from summarizer.llm.backend import LOCAL, SERVER
from summarizer.llm.tokens import Tokenizer, count_tokens
from summarizer.papers.pdf_text import SECTION_NAMES, Section

MODEL = "gpt-4o-mini"
REAL = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "real" / "pdfs"


def tokens(text: str) -> int:
    return count_tokens(text, MODEL).tokens


def paragraph(tag: str, sentences: int = 4) -> str:
    """A paragraph whose sentences all carry ``tag``, so it can be found again."""
    return " ".join(
        f"Sentence {n} of {tag} describes the model and its training data in detail."
        for n in range(sentences)
    )


def section(name: str, heading: str, paragraphs: int, sentences: int = 4) -> Section:
    tag = re.sub(r"\W", "", heading)
    text = "\n\n".join(paragraph(f"{tag}p{n}", sentences) for n in range(paragraphs))
    return Section(name, heading, text)


def paper(scale: int = 1) -> list[Section]:
    return [
        section("abstract", "Abstract", 1),
        section("introduction", "1 Introduction", 2 * scale),
        section("related_work", "2 Related Work", 2 * scale),
        section("method", "3 Method", 3 * scale),
        section("experiments", "4 Experiments", 2 * scale),
        section("results", "5 Results", 2 * scale),
        section("discussion", "6 Discussion", 2 * scale),
        section("conclusion", "7 Conclusion", 1),
        section("appendix", "A Proofs", 3 * scale),
    ]


def plan(sections: list[Section], budget: int, overhead: int = 0) -> BudgetPlan:
    return plan_full_text(
        sections, model=MODEL, max_input_tokens=budget, prompt_overhead_tokens=overhead
    )


def rendered(sections: list[Section]) -> str:
    return "\n\n".join(f"{s.heading}\n{s.text.strip()}" for s in sections)


def paragraphs_of(sections: list[Section]) -> list[str]:
    return [p for s in sections for p in s.text.split("\n\n")]


def sent_words(result: BudgetPlan, sections: list[Section]) -> list[str]:
    """The words of the chunks, heading lines left out."""
    headings = {s.heading for s in sections} | {f"{s.heading} (continued)" for s in sections}
    lines = [line for c in result.chunks for line in c.text.splitlines() if line not in headings]
    return " ".join(lines).split()


def check_chunks(result: BudgetPlan, available: int) -> None:
    for chunk in result.chunks:
        assert chunk.tokens == tokens(chunk.text)
        assert chunk.tokens <= available
    assert result.sent_tokens == sum(chunk.tokens for chunk in result.chunks)


# --- one call ----------------------------------------------------------------------


def test_a_paper_that_fits_is_sent_whole_in_one_call() -> None:
    sections = paper()
    result = plan(sections, 12_000, overhead=1_000)
    assert result.mode == "single"
    assert result.calls == 1
    assert result.dropped_sections == []
    assert result.truncated_sections == []
    assert result.chunks[0].text == rendered(sections)  # in the paper's order
    assert result.chunks[0].sections == [s.heading for s in sections]
    assert result.total_tokens == result.sent_tokens == tokens(rendered(sections))
    assert not result.approximate
    check_chunks(result, 11_000)


def test_the_appendix_is_dropped_first() -> None:
    sections = paper()
    without_appendix = tokens(rendered(sections[:-1]))
    result = plan(sections, without_appendix + 5)
    assert result.mode == "single"
    assert result.dropped_sections == ["A Proofs"]
    assert result.truncated_sections == []
    assert result.chunks[0].text == rendered(sections[:-1])
    check_chunks(result, without_appendix + 5)


def test_acknowledgements_go_before_the_appendix() -> None:
    sections = [*paper()[:-1], section("other", "Acknowledgements", 1), paper()[-1]]
    body = [s for s in sections if s.heading not in ("Acknowledgements", "A Proofs")]
    appendix = sections[-1]
    budget = tokens(rendered([*body, appendix])) + 5
    result = plan(sections, budget)
    assert result.dropped_sections == ["Acknowledgements"]
    assert "A Proofs" in result.chunks[0].sections


def test_the_last_section_that_fits_is_cut_at_a_sentence_end() -> None:
    sections = paper()
    core = [s for s in sections if s.name not in ("related_work", "discussion", "appendix")]
    # Room for the core, the discussion (priority 5) and part of the related work.
    discussion = next(s for s in sections if s.name == "discussion")
    related = next(s for s in sections if s.name == "related_work")
    budget = tokens(rendered([*core, discussion])) + tokens(related.text) // 2
    result = plan(sections, budget)
    assert result.mode == "single"
    assert result.truncated_sections == ["2 Related Work"]
    assert result.dropped_sections == ["A Proofs"]
    text = result.chunks[0].text
    for s in [*core, discussion]:
        assert s.text in text
    kept = text.split("2 Related Work\n", 1)[1].split("\n\n3 Method", 1)[0]
    assert kept
    assert related.text.startswith(kept)
    assert kept != related.text
    assert kept.endswith("in detail.")  # a whole sentence
    assert result.chunks[0].sections.index("2 Related Work") == 2  # still in paper order
    check_chunks(result, budget)


def test_a_truncated_section_keeps_whole_paragraphs_before_sentences() -> None:
    sections = paper()
    related = next(s for s in sections if s.name == "related_work")
    first, second = related.text.split("\n\n")[:2]
    others = [s for s in sections if s.name not in ("related_work", "appendix")]
    # Room for the first paragraph and one sentence (21 tokens) of the second.
    budget = tokens(rendered(others)) + tokens("\n\n2 Related Work\n" + first) + 30
    result = plan(sections, budget)
    kept = result.chunks[0].text.split("2 Related Work\n", 1)[1].split("\n\n3 Method")[0]
    assert kept == first + "\n\n" + split_sentences(second)[0].strip()
    assert result.truncated_sections == ["2 Related Work"]


# --- map-reduce --------------------------------------------------------------------


def test_map_reduce_when_the_core_does_not_fit() -> None:
    sections = paper(scale=6)
    core = [s for s in sections if s.name in ("abstract", "introduction", "method", "conclusion")]
    budget = tokens(rendered(core)) // 2
    result = plan(sections, budget, overhead=200)
    assert result.mode == "map_reduce"
    assert len(result.chunks) > 2
    assert result.calls == len(result.chunks) + 1
    assert result.dropped_sections == []
    check_chunks(result, budget - 200)
    # Every paragraph in exactly one chunk, in the paper's order.
    texts = [chunk.text for chunk in result.chunks]
    order = []
    for para in paragraphs_of(sections):
        homes = [i for i, text in enumerate(texts) if para in text]
        assert len(homes) == 1, para[:40]
        order.append(homes[0])
    assert order == sorted(order)
    # Every chunk names its sections; a section split over chunks says so.
    for chunk in result.chunks:
        assert chunk.sections
        for label in chunk.sections:
            assert label in chunk.text
    assert any(" (continued)\n" in text for text in texts)


def test_map_reduce_splits_between_sections_when_it_can() -> None:
    # Sections of about a third of the budget each: never split.
    sections = [section(name, f"{n} {name.title()}", 2) for n, name in enumerate(SECTION_NAMES)]
    largest = max(tokens(f"{s.heading}\n{s.text}") for s in sections)
    result = plan(sections, 3 * largest)
    assert result.mode == "map_reduce"
    seen = [label for chunk in result.chunks for label in chunk.sections]
    assert seen == [s.heading for s in sections]  # each section in one chunk only
    assert all("(continued)" not in chunk.text for chunk in result.chunks)


def test_an_overlong_sentence_is_cut_between_words() -> None:
    sentence = " ".join(f"word{n}" for n in range(3_000))  # no full stop at all
    sections = [Section("other", "Data", sentence)]
    result = plan(sections, 500)
    assert result.mode == "map_reduce"
    check_chunks(result, 500)
    body = " ".join(chunk.text.split("\n", 1)[1] for chunk in result.chunks)
    assert body.split() == sentence.split()


def test_an_unstructured_text_is_not_cut_to_its_beginning() -> None:
    # No recognised section: everything counts, so a long text goes map-reduce.
    sections = [Section("other", "", "\n\n".join(paragraph(f"x{n}") for n in range(60)))]
    result = plan(sections, 800)
    assert result.mode == "map_reduce"
    assert result.chunks[0].sections == ["other"]
    assert all(p in "".join(c.text for c in result.chunks) for p in paragraphs_of(sections))


def test_plans_are_deterministic_and_sections_are_not_changed() -> None:
    sections = paper(scale=4)
    copy = list(sections)
    assert plan(sections, 1_500) == plan(sections, 1_500)
    assert sections == copy


def test_empty_sections_are_skipped_and_no_sections_send_nothing() -> None:
    result = plan([Section("abstract", "Abstract", "  "), *paper()[1:3]], 12_000)
    assert "Abstract" not in result.chunks[0].sections
    empty = plan([], 12_000)
    assert (empty.mode, empty.chunks, empty.sent_tokens, empty.calls) == ("single", [], 0, 0)


def test_a_budget_without_room_for_the_paper_is_refused() -> None:
    with pytest.raises(ValueError, match="leaves 50"):
        plan(paper(), 1_050, overhead=1_000)


def test_the_default_budgets() -> None:
    assert SERVER.default_input_tokens == 12_000
    assert LOCAL.default_input_tokens == 2_500


def test_an_unknown_model_gives_an_approximate_plan() -> None:
    result = plan_full_text(
        paper(), model="qwen2.5:7b-instruct", max_input_tokens=12_000, prompt_overhead_tokens=0
    )
    assert result.approximate
    assert result.encoding == "o200k_base"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shape=st.lists(
        st.tuples(st.sampled_from(SECTION_NAMES), st.integers(0, 6), st.integers(1, 12)),
        min_size=1,
        max_size=9,
    ),
    budget=st.integers(150, 3_000),
    pdf_lines=st.booleans(),
)
def test_plans_always_respect_the_budget(
    shape: list[tuple[str, int, int]], budget: int, pdf_lines: bool
) -> None:
    sections = []
    for n, (name, paragraphs, sentences) in enumerate(shape):
        paras = [paragraph(f"s{n}p{k}", sentences) for k in range(paragraphs)]
        if pdf_lines:  # PDF text: lines of a column, no blank lines
            paras = [re.sub(r"(.{60}\S*) ", "\\1\n", p) for p in paras]
        sections.append(Section(name, f"{n} {name}", ("\n" if pdf_lines else "\n\n").join(paras)))
    result = plan(sections, budget)
    check_chunks(result, budget)
    if result.mode == "map_reduce":  # all of it, once, in order
        assert sent_words(result, sections) == " ".join(s.text for s in sections).split()
        assert result.dropped_sections == []
    else:
        assert len(result.chunks) <= 1
        for s in sections:  # the core is sent whole in one call
            if s.name in CORE_SECTIONS and s.text.strip():
                assert s.text.strip() in result.chunks[0].text


class SuperAdditive(Tokenizer):
    """A tokenizer for which a text costs more than its pieces: the plan's sums of
    piece counts underestimate, and only the exact checks keep chunks in budget."""

    def __init__(self) -> None:
        super().__init__(None, approximate=True)

    def count(self, text: str) -> int:
        return len(text) // 4 + (len(text) // 120) ** 2


# Budgets that make each repair happen: single-call shrinking (1, 1850), halving a
# piece of a map-reduce chunk (2, 450), moving pieces to the next chunk (3, 300).
@pytest.mark.parametrize(
    ("scale", "budget"), [(3, 300), (3, 900), (3, 4_000), (1, 1_850), (2, 450)]
)
def test_chunks_fit_even_when_counts_do_not_add_up(scale: int, budget: int) -> None:
    tokenizer = SuperAdditive()
    sections = paper(scale=scale)
    result = plan_full_text(
        sections,
        model=MODEL,
        max_input_tokens=budget,
        prompt_overhead_tokens=0,
        tokenizer=tokenizer,
    )
    for chunk in result.chunks:
        assert chunk.tokens == tokenizer.count(chunk.text) <= budget
    if result.mode == "map_reduce":  # all of it, once, in order
        assert sent_words(result, sections) == " ".join(s.text for s in sections).split()


# --- splitting ---------------------------------------------------------------------


def test_pdf_lines_are_grouped_into_paragraphs() -> None:
    text = (
        "The goal of reducing sequential computation also forms the foundation of the\n"
        "Extended Neural GPU, ByteNet and ConvS2S, all of which use convolutional neural\n"
        "networks as basic building block.\n"
        "Self-attention, sometimes called intra-attention, is an attention mechanism\n"
        "relating different positions of a single sequence. It has been used in\n"
        "reading comprehension (e.g. for the\n"
        "task of summarization).\n"
        "To the best of our knowledge, the Transformer is the first model of its kind."
    )
    paragraphs = split_paragraphs(text)
    assert "".join(paragraphs) == text
    assert [p.split()[0] for p in paragraphs] == ["The", "Self-attention,", "To"]


def test_blank_lines_end_paragraphs() -> None:
    text = "\nFirst paragraph.\nStill first.\n\n\nSecond one\n\nThird."
    paragraphs = split_paragraphs(text)
    assert "".join(paragraphs) == text
    assert [p.strip().split()[0] for p in paragraphs] == ["First", "Second", "Third."]


def test_sentences_in_english_and_japanese() -> None:
    english = 'It works. "Quoted." (Parenthetical.) Done 3 times! Then 4.2 points? Yes'
    assert split_sentences(english) == [
        "It works. ",
        '"Quoted." ',
        "(Parenthetical.) ",
        "Done 3 times! ",
        "Then 4.2 points? ",
        "Yes",
    ]
    japanese = "本研究では新手法を提案する。「結果」は良好だった。今後の課題もある"
    assert split_sentences(japanese) == [
        "本研究では新手法を提案する。",
        "「結果」は良好だった。",
        "今後の課題もある",
    ]
    for text in (english, japanese, "", "no end", "Trailing space.  "):
        assert "".join(split_sentences(text)) == text


# --- the real PDFs in ../shared (skipped when absent) ------------------------------


@pytest.mark.skipif(not REAL.is_dir(), reason="the real PDFs live in ../shared/")
@pytest.mark.parametrize("name", ["1706.03762v5", "2203.02155v1"])
def test_real_papers_within_the_default_budgets(name: str) -> None:
    from summarizer.papers.pdf_text import extract_pdf

    sections = extract_pdf(REAL / f"{name}.pdf").sections
    for budget in (SERVER.default_input_tokens, LOCAL.default_input_tokens):
        result = plan(sections, budget, overhead=1_000)
        check_chunks(result, budget - 1_000)
        assert result.sent_tokens <= result.total_tokens * 1.05


# --- prices ------------------------------------------------------------------------


PRICES = load_price_table()


def test_shipped_prices() -> None:
    table = load_price_table()
    assert table.recorded == "2026-11"
    assert PRICES.cost("gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(0.75)
    assert PRICES.cost("gpt-4o", 10_000, 1_000) == pytest.approx(0.035)
    assert PRICES.cost("gpt-4.1-mini", 1_000_000, 0) == pytest.approx(0.40)
    assert PRICES.cost("gpt-4.1", 0, 1_000_000) == pytest.approx(8.00)
    assert PRICES.cost("gpt-5-mini", 12_000, 500) == pytest.approx(0.004)


def test_prices_of_snapshots_local_labels_and_unknown_models() -> None:
    assert PRICES.cost("gpt-4o-mini-2024-07-18", 1_000_000, 0) == pytest.approx(0.15)
    assert PRICES.cost("GPT-4o-mini", 1_000_000, 0) == pytest.approx(0.15)
    assert PRICES.cost("openai/gpt-4o", 1_000_000, 0) == pytest.approx(2.50)
    assert PRICES.cost("qwen2.5-coder-1.5b-instruct-q4_k_m, local", 5_000, 700) == 0.0
    assert PRICES.cost("gpt-4.1-nano", 1, 1) is None  # not gpt-4.1's price
    assert PRICES.cost("qwen2.5:7b-instruct", 1, 1) is None


def test_the_one_cost_function_charges_nothing_on_this_machine() -> None:
    assert cost_usd(LOCAL, "gpt-4o", 1_000_000, 1_000_000, PRICES) == 0.0
    assert cost_usd(SERVER, "gpt-4o-mini", 1_000_000, 0, PRICES) == pytest.approx(0.15)
    assert cost_usd(SERVER, "qwen2.5:7b-instruct", 1, 1, PRICES) is None


def test_a_user_price_file_overrides_model_by_model(tmp_path: Path) -> None:
    path = tmp_path / "prices.toml"
    path.write_text(
        'recorded = "2027-01"\n[models]\n"gpt-4o-mini" = { input = 0.1, output = 0.4 }\n'
        '"qwen2.5:7b-instruct" = { input = 0, output = 0 }\n',
        encoding="utf-8",
    )
    table = load_price_table(path)
    assert table.recorded == "2027-01"
    assert table.cost("gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(0.5)
    assert table.cost("gpt-4o", 1_000_000, 0) == pytest.approx(2.5)  # kept
    assert table.cost("qwen2.5:7b-instruct", 10, 10) == 0.0
    assert load_price_table().cost("gpt-4o-mini", 1_000_000, 0) == pytest.approx(0.15)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[models\n", "not valid TOML"),
        ('[models]\n"m" = { input = 1 }\n', "needs numbers"),
        ('[models]\n"m" = { input = "cheap", output = 1 }\n', "needs numbers"),
        ('[models]\n"m" = { input = -1, output = 1 }\n', "negative"),
        ('models = "gpt-4o"\n', "must be a table"),
    ],
)
def test_bad_price_files_are_config_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "prices.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_price_table(path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_price_table(tmp_path / "missing.toml")


def test_a_price_table_can_be_built_directly() -> None:
    table = PriceTable({})
    assert table.cost("gpt-4o-mini", 1, 1) is None


def test_local_backend_keeps_one_call_with_the_start_of_each_core_section() -> None:
    from summarizer.drafting.budget import shorten_core_sections

    long = " ".join(f"Sentence number {i} explains one more detail." for i in range(400))
    sections = [
        Section("abstract", "Abstract", "We propose a method. It works well."),
        Section("related_work", "2 Related Work", long),
        Section("method", "3 Method", long),
        Section("experiments", "4 Experiments", long),
        Section("appendix", "A Proofs", long),
    ]
    shortened = shorten_core_sections(sections, 1_900, "gpt-4o-mini")
    assert [s.name for s in shortened] == ["abstract", "method", "experiments"]
    assert shortened[1].text.startswith("Sentence number 0 explains")
    plan = plan_full_text(
        shortened, model="gpt-4o-mini", max_input_tokens=2_500, prompt_overhead_tokens=600
    )
    assert plan.mode == "single"
    assert plan.sent_tokens <= 1_900
