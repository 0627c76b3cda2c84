"""A small library of three products that buyers describe rather than name, for linking tests."""

from __future__ import annotations


def _asset(title: str, kind: str, products: str, text: str) -> str:
    declared = f"products: [{products}]\n" if products else ""
    return f"---\ntitle: {title}\ntype: {kind}\n{declared}external: true\n---\n{text}"


PRODUCT_ASSETS: dict[str, str] = {
    "beacon-datasheet.md": _asset(
        "Beacon Datasheet", "datasheet", "beacon",
        "Beacon is the AI assistant that answers employee questions about leave, benefits and "
        "policies in chat, around the clock, and cites the policy behind each answer.",
    ),
    "beacon-story.md": _asset(
        "Beacon at a Retail Chain", "case_study", "beacon",
        "Store staff ask the assistant about schedules and leave in chat; tickets to HR fell "
        "by a third in two months.",
    ),
    "gatekeeper-datasheet.md": _asset(
        "Gatekeeper Datasheet", "datasheet", "gatekeeper",
        "Gatekeeper shuts off a leaver's access to every account on their last day and runs "
        "quarterly access reviews with evidence for auditors.",
    ),
    "gatekeeper-guide.md": _asset(
        "Gatekeeper Setup Guide", "implementation_guide", "gatekeeper",
        "Connect your directory once; offboarding then deprovisions accounts automatically "
        "when a termination is recorded.",
    ),
    "ledger-datasheet.md": _asset(
        "Ledger Datasheet", "datasheet", "ledger",
        "Ledger runs payroll for hourly and salaried staff, with pre-run checks that flag "
        "unusual pay before it goes out.",
    ),
    "ledger-story.md": _asset(
        "Ledger at a Manufacturer", "case_study", "ledger",
        "A manufacturer pays three unions with different overtime rules from one payroll run.",
    ),
    "pricing.md": _asset(
        "Pricing Overview", "pricing_guide", "beacon, gatekeeper, ledger",
        "Every product is priced per employee per month, billed yearly.",
    ),
    "security-faq.md": _asset(
        "Security FAQ", "faq", "",
        "Data is encrypted at rest and in transit, and we hold a SOC 2 Type II report.",
    ),
}  # fmt: skip
