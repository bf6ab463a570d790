#!/usr/bin/env python3
"""The contact flow inside deploy/template.yaml, from contactflow/Vanity_Numbers.json.

The template's VanityContactFlow Content is the flow file with its two ARNs replaced by
`${VanityToSqsFunction.Arn}` and `${HoursOfOperationArn}` (Fn::Sub). `--write`
rewrites that block; without it, exit 1 if the template is not current.
"""
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "template.yaml"
FLOW = ROOT / "contactflow" / "Vanity_Numbers.json"
MARK = "        Fn::Sub: |\n"
INDENT = " " * 10


def content() -> str:
    flow = json.loads(FLOW.read_text())
    for action in flow["Actions"]:
        params = action.get("Parameters", {})
        if action["Type"] == "InvokeLambdaFunction":
            params["LambdaFunctionARN"] = "${VanityToSqsFunction.Arn}"
        if action["Type"] == "CheckHoursOfOperation":
            params["HoursOfOperationId"] = "${HoursOfOperationArn}"
    text = json.dumps(flow, indent=2, ensure_ascii=False)
    assert "${" not in text.replace("${VanityToSqsFunction.Arn}", "").replace(
        "${HoursOfOperationArn}", ""
    ), "the flow has ${...} text that Fn::Sub would substitute"
    return "".join(INDENT + line + "\n" for line in text.splitlines())


def main() -> int:
    text = TEMPLATE.read_text()
    start = text.index(MARK) + len(MARK)
    end = re.compile(r"^\S", re.M).search(text, start).start()
    new = text[:start] + content() + "\n" + text[end:]
    if "--write" in sys.argv:
        TEMPLATE.write_text(new)
        return 0
    if new != text:
        print("deploy/template.yaml: the contact flow is not contactflow/Vanity_Numbers.json; run deploy/template.py --write", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
