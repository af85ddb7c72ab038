"""What a round of batch requests will cost, before it is submitted (``--budget-usd``).

Input tokens are counted in the requests' messages (the tokenizer of
:mod:`summarizer.llm.tokens`); a reply is counted at its ``max_tokens`` when the
request sets one, else at :data:`EXPECTED_REPLY_TOKENS`, the length of a typical
translation reply (the longest text reply of a note).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from summarizer.drafting.prices import batch_cost_usd

if TYPE_CHECKING:
    from summarizer.drafting.prices import PriceTable
    from summarizer.llm.deferred_transport import DeferredRequest

EXPECTED_REPLY_TOKENS = 450


def round_tokens(requests: Sequence[DeferredRequest], model: str) -> tuple[int, int]:
    """(input, output) tokens the requests will take, at most about."""
    from summarizer.llm.tokens import count_tokens

    input_tokens = output_tokens = 0
    for request in requests:
        body = json.loads(request.body)
        text = json.dumps(body.get("messages", []), ensure_ascii=False)
        for key in ("response_format", "tools"):
            if key in body:
                text += json.dumps(body[key], ensure_ascii=False)
        input_tokens += count_tokens(text, model).tokens
        output_tokens += int(
            body.get("max_tokens") or body.get("max_completion_tokens") or EXPECTED_REPLY_TOKENS
        )
    return input_tokens, output_tokens


def round_cost_usd(
    requests: Sequence[DeferredRequest], model: str, prices: PriceTable
) -> float | None:
    """USD for the round at the batch price; ``None`` for a model without a price."""
    input_tokens, output_tokens = round_tokens(requests, model)
    return batch_cost_usd(model, input_tokens, output_tokens, prices)
