"""AWS's refusal of wildcard patterns that would make matching too costly.

EventBridge refuses a rule with "Rule is too complex - try using fewer wildcard characters or fewer
repeating character sequences after a wildcard character"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html, section
"Wildcard matching"). The measure is aws/event-ruler's ``MachineComplexityEvaluator``: the largest
number of wildcard-pattern prefixes that one input value can keep alive at the same time in the byte
machine of a field. This module rebuilds that machine in miniature for the wildcard patterns (plain and
``anything-but``) of one field of one rule: the literal prefix up to and including the first ``*`` is
shared between patterns (as event-ruler shares it), everything after is per pattern; a state weighs the
number of patterns that pass through it; the complexity is the heaviest set of states reachable by any
input. The cut-off (more than 10 refused) is not published by AWS: it is the one that reproduces
AWS's observed answers we know of (four ``*/dir/*.ext`` patterns on one field refused, two accepted).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

__all__ = ("MAX_COMPLEXITY", "complexity", "too_complex")

MAX_COMPLEXITY: Final = 10
_STAR: Final = ""  # token for a wildcard; literal tokens are one-character strings
_EXPLORE_LIMIT: Final = 20_000


def _tokens(pattern: str) -> list[str]:
    tokens = ['"']
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            tokens.append(_STAR)
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            tokens.append(pattern[i])
        else:
            tokens.append(char)
        i += 1
    tokens.append('"')
    return tokens


class _Machine:
    def __init__(self) -> None:
        self.literal: list[dict[str, set[int]]] = [{}]
        self.star_loop: list[bool] = [False]
        self.epsilon: list[set[int]] = [set()]
        self.weight: list[set[int]] = [set()]
        self.shared_child: list[dict[str, int]] = [{}]

    def new_state(self, *, star: bool = False) -> int:
        self.literal.append({})
        self.star_loop.append(star)
        self.epsilon.append(set())
        self.weight.append(set())
        self.shared_child.append({})
        return len(self.literal) - 1

    def add(self, identity: int, tokens: list[str]) -> None:
        current = 0
        shared = True
        for token in tokens:
            if token == _STAR:
                key = _STAR
                if shared and key in self.shared_child[current]:
                    nxt = self.shared_child[current][key]
                else:
                    nxt = self.new_state(star=True)
                    if shared:
                        self.shared_child[current][key] = nxt
                self.epsilon[current].add(nxt)
                shared = False
            else:
                if shared and token in self.shared_child[current]:
                    nxt = self.shared_child[current][token]
                else:
                    nxt = self.new_state()
                    if shared:
                        self.shared_child[current][token] = nxt
                self.literal[current].setdefault(token, set()).add(nxt)
            self.weight[nxt].add(identity)
            current = nxt

    def closure(self, states: Iterable[int]) -> frozenset[int]:
        result = set(states)
        pending = list(result)
        while pending:
            state = pending.pop()
            for nxt in self.epsilon[state]:
                if nxt not in result:
                    result.add(nxt)
                    pending.append(nxt)
        return frozenset(result)

    def step(self, states: frozenset[int], char: str | None) -> frozenset[int]:
        nxt: set[int] = set()
        for state in states:
            if self.star_loop[state]:
                nxt.add(state)
            if char is not None:
                nxt.update(self.literal[state].get(char, ()))
        return self.closure(nxt)


def complexity(patterns: Iterable[str], *, cap: int = MAX_COMPLEXITY + 1) -> int:
    """The largest number of live wildcard-pattern prefixes (capped at ``cap``)."""
    machine = _Machine()
    alphabet: set[str] = set()
    for identity, pattern in enumerate(dict.fromkeys(patterns)):
        tokens = _tokens(pattern)
        alphabet.update(t for t in tokens if t != _STAR)
        machine.add(identity, tokens)
    symbols: list[str | None] = [*sorted(alphabet), None]
    start = machine.closure([0])
    seen = {start}
    pending = [start]
    worst = 0
    while pending and len(seen) < _EXPLORE_LIMIT:
        states = pending.pop()
        for symbol in symbols:
            nxt = machine.step(states, symbol)
            if not nxt:
                continue
            weight = sum(len(machine.weight[s]) for s in nxt)
            if weight >= cap:
                return cap
            worst = max(worst, weight)
            if nxt not in seen:
                seen.add(nxt)
                pending.append(nxt)
    return worst


def too_complex(patterns: Iterable[str]) -> bool:
    """Whether EventBridge would refuse these wildcard patterns on one field of one rule."""
    return complexity(patterns) > MAX_COMPLEXITY
