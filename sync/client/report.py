"""Per-record sync results in plain Chinese, for the terminal, the 同步 page and package imports alike."""

from __future__ import annotations

from sync.protocol import Outcome, RecordResult

OUTCOME_LABELS = {
    Outcome.ACCEPTED: "已接收",
    Outcome.DUPLICATE: "已接收（之前已发送过）",
    Outcome.CONFLICT: "有冲突，两份都已保留",
    Outcome.REJECTED: "被退回",
    Outcome.RETRY: "暂未入库，下次继续",
}


def describe(result: RecordResult | dict, title: str = "") -> str:
    """One line: which record, what happened, and why when it was not simply accepted."""
    if isinstance(result, dict):
        result = RecordResult.model_validate(result, strict=False)  # our own JSON report, not the wire
    name = title or result.uuid[:8]
    line = f"{name}（第 {result.revision} 版）：{OUTCOME_LABELS[result.outcome]}"
    return f"{line}。{result.message}" if result.message else line


def describe_results(results: list, titles: dict[str, str] | None = None) -> list[str]:
    titles = titles or {}
    lines = [describe(r, titles.get(r["uuid"] if isinstance(r, dict) else r.uuid, "")) for r in results]
    return lines or ["没有需要发送的记录。"]


def summary(counts: dict[str, int]) -> str:
    """E.g. “已接收 12 条，被退回 1 条”."""
    parts = []
    for outcome in Outcome:
        n = counts.get(outcome.value, 0)
        if n:
            parts.append(f"{OUTCOME_LABELS[outcome].split('（')[0]} {n} 条")
    return "，".join(parts) or "没有需要发送的记录"
