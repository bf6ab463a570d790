//! The rule table: every finding `check` can report, with a stable code.
//!
//! `docs/rules.md` and `flowsim check --list-rules` are generated from [`RULES`]
//! (a test keeps the document in step with the table).

use serde::Serialize;

/// How bad a finding is. Errors fail `check`; warnings fail it only with
/// `--deny-warnings`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }

    /// The SARIF `level`.
    pub fn sarif_level(self) -> &'static str {
        match self {
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// One lint rule.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable code, `FS` + three digits. `FS0xx` are problems that stop flowsim
    /// (and Connect) from loading the flow at all.
    pub code: &'static str,
    /// Kebab-case name.
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what the rule finds.
    pub description: &'static str,
    /// A minimal example that triggers it.
    pub example: &'static str,
}

macro_rules! rules {
    ($($id:ident = $code:literal $name:literal $sev:ident $desc:literal $ex:literal;)*) => {
        $(pub const $id: &Rule = &Rule {
            code: $code,
            name: $name,
            severity: Severity::$sev,
            description: $desc,
            example: $ex,
        };)*
        /// Every rule, in code order.
        pub const RULES: &[&Rule] = &[$($id),*];
    };
}

rules! {
    INVALID_JSON = "FS000" "invalid-json" Error
        "The file is not JSON (or not UTF-8 text)."
        "`{\"Actions\": [`";
    LEGACY_FORMAT = "FS001" "legacy-format" Error
        "The pre-2020 console export format (top-level `modules`), which Connect no longer imports."
        "`{\"modules\": [...], \"start\": \"...\"}`";
    START_ACTION = "FS002" "start-action" Error
        "`StartAction` is missing, empty, or names no action."
        "`\"StartAction\": \"Welcome\"` with no action `Welcome`";
    DANGLING_TARGET = "FS003" "dangling-target" Error
        "A transition names an action that is not in the flow."
        "`\"NextAction\": \"Good Bye\"` with no action `Good Bye`";
    DUPLICATE_IDENTIFIER = "FS004" "duplicate-identifier" Error
        "Two actions share one `Identifier`."
        "two actions with `\"Identifier\": \"Menu\"`";
    INVALID_FLOW = "FS005" "invalid-flow" Error
        "Valid JSON that flowsim cannot load as a flow (missing `Actions`, wrong value types, ...)."
        "`\"LoopCount\": [1]`";
    EMPTY_TARGET = "FS101" "empty-target" Warning
        "A branch of a non-terminal block leads nowhere: the call hangs up there."
        "MessageParticipant with `\"Transitions\": {\"NextAction\": \"\"}`";
    INVALID_IDENTIFIER = "FS102" "invalid-identifier" Error
        "An `Identifier` is empty, longer than 50 characters, contains one of `% : ( \\ / ) = $ , ; [ ] { }`, or is a forbidden name such as `__proto__`."
        "`\"Identifier\": \"Menu (main)\"`";
    UNREACHABLE_BLOCK = "FS103" "unreachable-block" Warning
        "No path from `StartAction` leads to the block."
        "an action no transition names";
    INFINITE_LOOP = "FS104" "infinite-loop" Error
        "A cycle the call can never leave and that never waits for the caller: it runs until the step budget stops it."
        "A -> B -> A, both MessageParticipant, no other branches";
    NO_EXIT_CYCLE = "FS105" "no-exit-cycle" Warning
        "A cycle the call can never leave, though it waits for input: only the caller hanging up ends the call."
        "GetParticipantInput whose every branch leads back to itself";
    INPUT_NO_ERROR_BRANCH = "FS106" "input-missing-error-branch" Error
        "GetParticipantInput without a `NoMatchingError` branch (Connect requires one)."
        "`\"Errors\": [{\"ErrorType\": \"InputTimeLimitExceeded\", ...}]` only";
    STORE_MODE_CONDITIONS = "FS107" "store-mode-conditions" Error
        "GetParticipantInput in store mode (`StoreInput` `True`) with conditions; store mode has no result to compare."
        "`\"StoreInput\": \"True\"` with `\"Conditions\": [...]`";
    MENU_CONDITION = "FS108" "menu-condition" Error
        "A menu condition that is not `Equals` with one key (`0`-`9`, `*`, `#`)."
        "`{\"Operator\": \"Equals\", \"Operands\": [\"12\"]}`";
    LOOP_BRANCHES = "FS109" "loop-branches" Error
        "Loop without both `ContinueLooping` and `DoneLooping` conditions (or with others)."
        "Loop with only `ContinueLooping`";
    COMPARE_NOT_PATH = "FS110" "compare-value-not-path" Error
        "Compare's `ComparisonValue` is not a single reference path into a known namespace."
        "`\"ComparisonValue\": \"LambdaError\"`";
    UNKNOWN_ACTION_TYPE = "FS111" "unknown-action-type" Error
        "An action `Type` that is not in the flow language (often a console block name)."
        "`\"Type\": \"PlayPrompt\"` (use `MessageParticipant`)";
    UNKNOWN_PARAMETER = "FS112" "unknown-parameter" Warning
        "A parameter the action type does not take, usually misspelt; the closest known name is suggested."
        "`\"InputTimeoutSeconds\": \"5\"` (use `InputTimeLimitSeconds`)";
    LAMBDA_TIMEOUT_RANGE = "FS113" "lambda-timeout-range" Error
        "InvokeLambdaFunction `InvocationTimeLimitSeconds` outside 1-8."
        "`\"InvocationTimeLimitSeconds\": \"20\"`";
    BOOLEAN_CASE = "FS114" "lambda-boolean-case" Warning
        "A Lambda result compared against a boolean spelling the function does not return (`True` vs `true`; `Equals` is case-sensitive)."
        "Compare `$.External.ok` with `Equals True` when the function is JavaScript";
    UNDEFINED_ATTRIBUTE = "FS115" "undefined-attribute" Warning
        "A reference to `$.Attributes.x` (or `$.FlowAttributes.x`) that no UpdateContactAttributes (UpdateFlowAttributes) block in the flow sets."
        "`$.Attributes.Langauge` when only `Language` is set";
    STALE_EXTERNAL = "FS116" "stale-external" Warning
        "A block reads `$.External` where the last Lambda run depends on the path taken: each invocation replaces `$.External`."
        "Lambda A -> Lambda B -> prompt reading A's `$.External.x`";
    MALFORMED_SSML = "FS117" "malformed-ssml" Error
        "An `SSML` prompt that is not well-formed (the block would take `NoMatchingError`)."
        "`\"SSML\": \"<speak>Hello <break time='1s'></speak>\"`";
    FLOW_TYPE = "FS118" "flow-type-restriction" Error
        "An action that the flow's type (`Metadata.type`) does not allow."
        "EndFlowExecution in an inbound `contactFlow`";
    STORE_TIMEOUT = "FS119" "store-timeout-unchecked" Warning
        "A store-mode GetParticipantInput whose value is used, but no Compare after it checks for `Timeout` (store mode succeeds with `$.StoredCustomerInput = \"Timeout\"` when the caller keys nothing)."
        "store input -> Set attribute TargetNumber = $.StoredCustomerInput -> Lambda";
    MISSING_PARAMETER = "FS120" "missing-parameter" Error
        "A parameter the block cannot work without is missing or empty (a draft saved in the console): the Lambda ARN, the queue, the flow or module to go to. Connect will not publish the flow; flowsim runs it and the block takes its error branch."
        "InvokeLambdaFunction with no `LambdaFunctionARN`";
}

/// The rule with this code or name.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// The rule table as Markdown (`docs/rules.md`).
pub fn markdown() -> String {
    let mut s = String::from(
        "# `flowsim check` rules\n\n\
         Generated from `src/check/rules.rs` (`flowsim check --list-rules`). \
         Errors make `check` exit 1; warnings do too with `--deny-warnings`.\n\n\
         | code | name | severity | finds | example |\n|---|---|---|---|---|\n",
    );
    for r in RULES {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            r.code,
            r.name,
            r.severity.as_str(),
            r.description.replace('|', "\\|"),
            r.example.replace('|', "\\|"),
        ));
    }
    s.push_str(HEURISTICS);
    s
}

/// How the less obvious rules decide; appended to `docs/rules.md`.
const HEURISTICS: &str = "
## How the graph and data-flow rules decide

- **FS101 empty-target**: a branch whose `NextAction` is `\"\"`/`null`, or a non-terminal block
  with neither a `NextAction` nor conditions. Terminal blocks (DisconnectParticipant,
  EndFlowExecution, EndFlowModuleExecution) and transfers (whose success ends the flow) are exempt
  from the missing-`NextAction` case.
- **FS104 infinite-loop / FS105 no-exit-cycle**: the graph's strongly connected components
  (Tarjan). A component is a trap when it holds a cycle, is reachable from the start, and the
  call cannot leave it: no branch of its blocks leads outside, no branch is empty (an empty
  branch hangs up), and no block in it ends the flow (DisconnectParticipant, EndFlowExecution,
  EndFlowModuleExecution, TransferContactToQueue, TransferToFlow, TransferContactToAgent, or an
  unsupported type). Undeclared errors, which would end the flow, are not counted as exits.
  A trap with no block that waits for the caller (GetParticipantInput,
  ConnectParticipantWithLexBot, MessageParticipantIteratively, Wait) is FS104; otherwise FS105.
  Loop blocks inside a trap do not help: their counter resets after `DoneLooping`.
- **FS114 lambda-boolean-case**: a Compare whose value comes from a Lambda (`$.External.x`, or
  `$.Attributes.k` where an UpdateContactAttributes sets `k` to exactly `$.External.x`) and
  whose conditions compare with `True`/`False`/`true`/`false`. When every Lambda that can run
  before the block is the built-in vanity function and `x` is `ssmlError`, the known spelling
  is lowercase, so `True`/`False` are flagged. Otherwise flowsim assumes a JavaScript function
  (`String(true)` is `\"true\"`): a capitalised operand is flagged unless the same block also tests
  the lowercase spelling (Python's `str(True)` is `\"True\"`, so test both or normalise).
- **FS115 undefined-attribute**: any `$.Attributes.x` (whole value or inside text) in any
  parameter, where no UpdateContactAttributes of this flow has the key `x`. A warning, since
  attributes may come from an earlier flow or the API.
- **FS116 stale-external**: a reaching-definitions pass over the graph where each
  InvokeLambdaFunction block defines `$.External`. A block reading `$.External.*` is flagged when
  the Lambdas that may have run last before it call different functions. A path with no Lambda
  before the read is not flagged: a flow entered by TransferToFlow sees its caller's `$.External`.
- **FS119 store-timeout-unchecked**: from the success branch of a store-mode
  GetParticipantInput, every block reachable (without passing another store-mode input) is
  searched. If one of them reads `$.StoredCustomerInput` but none is a Compare on
  `$.StoredCustomerInput`, or on `$.Attributes.k` where `k` is set to exactly
  `$.StoredCustomerInput`, the block is flagged.
- **FS118 flow-type-restriction** (only when `Metadata.type` is present): EndFlowExecution only in
  whisper and customer-queue flows; TransferToFlow not in customer-queue flows;
  GetParticipantInput only in inbound, transfer, customer-queue flows and modules;
  MessageParticipantIteratively only in queue and hold flows; DequeueContactAndTransferToQueue
  only in customer-queue flows; UpdateContactRoutingBehavior only in inbound flows.

## Exit codes

0: no errors (and no warnings with `--deny-warnings`); 1: findings that fail the check, including
files that are not JSON or not flows (reported as FS000/FS005); 2: a file that cannot be read at all
(missing, a directory, permission denied) or a bad flag.
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.code), "{}", r.code);
            assert!(seen.insert(r.name), "{}", r.name);
            assert!(r.code.starts_with("FS") && r.code.len() == 5);
            assert!(
                r.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit())
            );
        }
        let mut codes: Vec<_> = RULES.iter().map(|r| r.code).collect();
        codes.sort();
        assert_eq!(codes, RULES.iter().map(|r| r.code).collect::<Vec<_>>());
    }
}
