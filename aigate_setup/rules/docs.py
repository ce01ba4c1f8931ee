"""docs/rules.md, generated from the rule catalogue (`python -m aigate_setup.rules --markdown`,
or `python scripts/gen_rules_doc.py` to write the file). A test fails when the file is stale."""

from __future__ import annotations

from aigate_setup.rules.engine import catalogue, readers
from aigate_setup.rules.registry import Rule

_FENCE = {"toml": "toml", "jsonc": "jsonc", "sh": "sh", "ps1": "powershell", "yaml": "yaml"}
HEADER = """\
# Rules of `aigate-setup check`

<!-- Generated from the rule registry by `python scripts/gen_rules_doc.py`
     (or `python -m aigate_setup.rules --markdown`). Do not edit by hand. -->

`aigate-setup check [PATH...]` runs these rules on the agent configs it finds (or is given);
`aigate-setup doctor` runs the same rules on the configs of this machine. Errors exit 1;
warnings alone exit 0.

- `--select AIG0xx` runs only those rules, `--ignore AIG0xx` skips them (repeatable or
  comma-separated).
- `# aigate: ignore[AIG020]` (`// aigate: ignore[AIG020]` in JSON) at the end of a line
  suppresses that rule on that line; `# aigate: ignore` suppresses every rule there.
- AIG050 and AIG051 need a catalog: `--catalog FILE` (the output of
  `aigate-setup models --format json`, or a raw `/v1/models` response) or `--live`.
"""


def _files(rule: Rule) -> str:
    if rule.kinds is None:
        return "every config"
    by_kind = readers()
    return ", ".join(f"{by_kind[k].title} `{by_kind[k].shown_as}`" for k in rule.kinds)


def _section(rule: Rule) -> str:
    reader = readers()[rule.example_kind]
    return "\n".join(
        [
            f"## {rule.id} {rule.name}",
            "",
            f"**{rule.severity}**: {rule.title}. Runs on: {_files(rule)}.",
            "",
            rule.doc,
            "",
            f"Example (`{reader.shown_as}`):",
            "",
            f"```{_FENCE[reader.format]}",
            rule.example.rstrip("\n"),
            "```",
            "",
            f"Fix: {rule.fix}.",
            "",
        ]
    )


def markdown() -> str:
    rules = list(catalogue().values())
    table = ["| Rule | Name | Severity | What |", "|---|---|---|---|"]
    table += [
        f"| [{r.id}](#{r.id.lower()}-{r.name}) | {r.name} | {r.severity} | {r.title} |"
        for r in rules
    ]
    return "\n".join([HEADER, *table, "", *(_section(r) for r in rules)]).rstrip("\n") + "\n"
