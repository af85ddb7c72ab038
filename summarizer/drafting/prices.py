"""What a note costs: model prices, and the one function that turns tokens into dollars.

Prices come from ``summarizer/data/prices.toml`` (they change: the file says when
they were recorded) with the entries of a file of the user's (``SUMMARIZER_PRICES``)
replacing them model by model.  :func:`cost_usd` is the only place a cost is
computed: the dry-run estimate, the batch report and the batch budget all use it.

The Batch API (``summarize batch --batch-api``) costs :data:`BATCH_DISCOUNT` of the
price, unless a model's entry names its own ``batch_input`` / ``batch_output``.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from summarizer.errors import ConfigError

if TYPE_CHECKING:
    from summarizer.llm.backend import Backend


# OpenAI's Batch API: "50% cost discount compared to synchronous APIs".
BATCH_DISCOUNT = 0.5


@dataclass(frozen=True)
class ModelPrice:
    """USD per million tokens; ``batch_*`` when the Batch API's price is not half."""

    input: float
    output: float
    batch_input: float | None = None
    batch_output: float | None = None

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        """USD for these tokens: the one formula."""
        return (input_tokens * self.input + output_tokens * self.output) / 1_000_000

    def for_batch(self) -> ModelPrice:
        """The price of the same model through the Batch API."""
        return ModelPrice(
            self.input * BATCH_DISCOUNT if self.batch_input is None else self.batch_input,
            self.output * BATCH_DISCOUNT if self.batch_output is None else self.batch_output,
        )


@dataclass(frozen=True)
class PriceTable:
    """Prices per model; ``recorded`` says when (they change)."""

    prices: Mapping[str, ModelPrice]
    recorded: str | None = None

    def price(self, model: str) -> ModelPrice | None:
        """The price of ``model``: its own entry, or that of the model a dated
        snapshot ("gpt-4o-mini-2024-07-18") or a local label ("…, local") names."""
        for name in _candidate_names(model):
            if name in self.prices:
                return self.prices[name]
        return None

    def cost(self, model: str, input_tokens: int, output_tokens: int) -> float | None:
        """USD for one model's tokens; ``None`` when the model has no price."""
        price = self.price(model)
        return None if price is None else price.cost(input_tokens, output_tokens)

    def merged(self, other: PriceTable) -> PriceTable:
        """This table with ``other``'s entries (and date) taking precedence."""
        return PriceTable({**self.prices, **other.prices}, other.recorded or self.recorded)


_SNAPSHOT_RE = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{4})$")


def _candidate_names(model: str) -> list[str]:
    name = model.strip().casefold().removesuffix(", local").strip()
    names = [name]
    if (undated := _SNAPSHOT_RE.sub("", name)) != name:
        names.append(undated)
    if "/" in name:  # "openai/gpt-4o-mini" on an OpenAI-compatible router
        names += _candidate_names(name.rsplit("/", 1)[1])
    return names


_BATCH_KEYS = ("batch_input", "batch_output")


def _parse_price_table(text: str, source: str) -> PriceTable:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"price file {source} is not valid TOML: {error}") from None
    models = data.get("models", {})
    if not isinstance(models, dict):
        raise ConfigError(f"price file {source}: [models] must be a table of models")
    prices: dict[str, ModelPrice] = {}
    for name, entry in models.items():
        values = entry if isinstance(entry, dict) else {}
        try:
            price = ModelPrice(
                float(values["input"]),
                float(values["output"]),
                *(float(values[key]) if key in values else None for key in _BATCH_KEYS),
            )
        except (KeyError, TypeError, ValueError):
            raise ConfigError(
                f"price file {source}: model {name!r} needs numbers 'input' and 'output' "
                "(USD per million tokens; 'batch_input' and 'batch_output' too if given)"
            ) from None
        numbers = [
            price.input,
            price.output,
            *(v for v in (price.batch_input, price.batch_output) if v is not None),
        ]
        if not all(math.isfinite(v) for v in numbers) or min(numbers) < 0:
            raise ConfigError(f"price file {source}: model {name!r} has a negative price")
        prices[name.strip().casefold()] = price
    recorded = data.get("recorded")
    return PriceTable(prices, str(recorded) if recorded is not None else None)


@cache
def _default_prices() -> PriceTable:
    text = resources.files("summarizer").joinpath("data", "prices.toml").read_text("utf-8")
    return _parse_price_table(text, "summarizer/data/prices.toml")


def load_price_table(path: Path | None = None) -> PriceTable:
    """The shipped prices, with the entries of the TOML file at ``path`` (same
    layout) replacing them model by model.

    Raises:
        ConfigError: the file is missing, unreadable or malformed.
    """
    table = _default_prices()
    if path is None:
        return table
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read price file {path}: {error}") from None
    return table.merged(_parse_price_table(text, str(path)))


def cost_usd(
    backend: Backend, model: str, input_tokens: int, output_tokens: int, prices: PriceTable
) -> float | None:
    """USD for a note's (or a batch's) tokens on ``backend``: nothing on this machine's
    CPU, else ``model``'s price; ``None`` for a model without a price."""
    if backend.free:
        return 0.0
    return prices.cost(model, input_tokens, output_tokens)


def batch_cost_usd(
    model: str, input_tokens: int, output_tokens: int, prices: PriceTable
) -> float | None:
    """USD for tokens answered through the Batch API; ``None`` without a price."""
    price = prices.price(model)
    return None if price is None else price.for_batch().cost(input_tokens, output_tokens)
