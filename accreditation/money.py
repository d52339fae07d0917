"""Money as people read it. Amounts are integer pence everywhere else; they become words only here, at the edge."""

FEE_CURRENCY = "gbp"


def pounds(pence: int) -> str:
    """Integer pence as the council writes money: £69.00, £3,440.00."""
    return f"£{pence // 100:,}.{pence % 100:02d}"


def money(pence: int | None, currency: str) -> str:
    """An amount in its own currency: £69.00, or 69.00 EUR in a currency that is not the fee's."""
    pence = pence or 0
    if currency.lower() == FEE_CURRENCY:
        return pounds(pence)
    return f"{pence // 100:,}.{pence % 100:02d} {currency.upper() or '(no currency)'}"
