"""Exact money for every part of IMS: integer cents, Decimal arithmetic, half-up rounding to the cent,
never float; and the one way an amount is written for people (format_money)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def to_decimal(value) -> Decimal:
    """A finite Decimal from a Decimal, an int or a decimal string. Floats are refused: they
    cannot hold 0.10 exactly, and one float is enough to make a total disagree by a cent."""
    if isinstance(value, float):
        raise TypeError("float is not accepted for money or rates; use Decimal or a string")
    if isinstance(value, bool):
        raise TypeError("bool is not a number")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"not a decimal number: {value!r}") from None
    else:
        raise TypeError(f"not a decimal number: {type(value).__name__}")
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


@dataclass(frozen=True, order=True)
class Money:
    """An amount in Canadian dollars held as integer cents."""
    cents: int

    def __post_init__(self):
        if isinstance(self.cents, bool) or not isinstance(self.cents, int):
            raise TypeError("Money holds integer cents; use Money.of() for decimal amounts")

    @classmethod
    def of(cls, amount) -> "Money":
        """Round a Decimal (or int, or decimal string) to the cent, half up: 8.1795 -> 8.18."""
        quantized = to_decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
        return cls(int(quantized.scaleb(2)))

    @property
    def amount(self) -> Decimal:
        return Decimal(self.cents).scaleb(-2)

    def __add__(self, other):
        if isinstance(other, Money):
            return Money(self.cents + other.cents)
        return NotImplemented

    def __radd__(self, other):
        if other == 0:  # lets sum() start from 0
            return self
        return self.__add__(other)

    def __sub__(self, other):
        if isinstance(other, Money):
            return Money(self.cents - other.cents)
        return NotImplemented

    def __neg__(self):
        return Money(-self.cents)

    def times(self, factor) -> "Money":
        """This amount times a Decimal factor (a tax rate...), rounded half up to the cent."""
        return Money.of(self.amount * to_decimal(factor))

    def __str__(self) -> str:
        """Plain machine form, as stored and exported: '82.00'."""
        return f"{self.amount:.2f}"

    def format(self, lang: str = "fr") -> str:
        """'1 234,56 $' in French (Quebec usage, with no-break spaces so an amount never wraps),
        '$1,234.56' in English."""
        sign = "-" if self.cents < 0 else ""
        grouped = f"{abs(self.amount):,.2f}"  # '1,234.56'
        if lang == "fr":
            return sign + grouped.replace(",", "\u00a0").replace(".", ",") + "\u00a0$"
        return f"{sign}${grouped}"


ZERO = Money(0)


def format_money(amount, lang: str = "fr") -> str:
    """How an amount reads on a page, a statement or a message: '82,00 $' in French, '$82.00' in
    English. Takes Money, Decimal, int or a decimal string (as services send amounts); anything
    else is shown as given (a blank stays blank)."""
    if isinstance(amount, Money):
        return amount.format(lang)
    try:
        return Money.of(amount).format(lang)
    except (TypeError, ValueError):
        return "" if amount is None else str(amount)
