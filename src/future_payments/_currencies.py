"""Stripe's currency facts, kept once: the library checks amounts, the fake enforces them."""

from __future__ import annotations

from collections.abc import Mapping

MINIMUM_CHARGE: Mapping[str, int] = {
    "usd": 50, "aed": 200, "aud": 50, "bgn": 100, "brl": 50, "cad": 50, "chf": 50,
    "czk": 1500, "dkk": 250, "eur": 50, "gbp": 30, "hkd": 400, "huf": 17500, "inr": 50,
    "jpy": 50, "mxn": 1000, "myr": 200, "nok": 300, "nzd": 50, "pln": 200, "ron": 200,
    "sek": 300, "sgd": 50, "thb": 1000,
}  # fmt: skip
"""Stripe's documented minimum charge per currency, in the smallest unit."""

MAXIMUM_AMOUNT = 99_999_999
"""Stripe's largest amount for most currencies, in the smallest unit."""

ZERO_DECIMAL: frozenset[str] = frozenset(
    ["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
     "xaf", "xof", "xpf"]
)  # fmt: skip
"""Currencies whose smallest unit is the whole unit (1 JPY, not 0.01)."""

SUPPORTED_CURRENCIES: frozenset[str] = frozenset([
    "aed", "afn", "all", "amd", "ang", "aoa", "ars", "aud", "awg", "azn", "bam", "bbd", "bdt",
    "bgn", "bhd", "bif", "bmd", "bnd", "bob", "brl", "bsd", "bwp", "byn", "bzd", "cad", "cdf",
    "chf", "clp", "cny", "cop", "crc", "cve", "czk", "djf", "dkk", "dop", "dzd", "egp", "etb",
    "eur", "fjd", "fkp", "gbp", "gel", "ghs", "gip", "gmd", "gnf", "gtq", "gyd", "hkd", "hnl",
    "htg", "huf", "idr", "ils", "inr", "isk", "jmd", "jod", "jpy", "kes", "kgs", "khr", "kmf",
    "krw", "kwd", "kyd", "kzt", "lak", "lbp", "lkr", "lrd", "lsl", "mad", "mdl", "mga", "mkd",
    "mmk", "mnt", "mop", "mur", "mvr", "mwk", "mxn", "myr", "mzn", "nad", "ngn", "nio", "nok",
    "npr", "nzd", "omr", "pab", "pen", "pgk", "php", "pkr", "pln", "pyg", "qar", "ron", "rsd",
    "rub", "rwf", "sar", "sbd", "scr", "sek", "sgd", "shp", "sle", "sll", "sos", "srd", "std",
    "szl", "thb", "tjs", "tnd", "top", "try", "ttd", "twd", "tzs", "uah", "ugx", "usd", "uyu",
    "uzs", "vnd", "vuv", "wst", "xaf", "xcd", "xcg", "xof", "xpf", "yer", "zar", "zmw",
])  # fmt: skip
"""The lowercase ISO codes Stripe accepts as a charge currency (card presentment currencies).

Stripe's list (docs: currencies) also holds codes it keeps for compatibility (``sll`` beside
``sle``, ``ang`` beside ``xcg``): accepting one Stripe may refuse for an account is better than
refusing one it accepts. Which of them an account can charge depends on its country."""
