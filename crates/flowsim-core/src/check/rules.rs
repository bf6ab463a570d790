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
    /// Worth knowing, not a problem on its own (never fails `check`).
    #[serde(rename = "note")]
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "note",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }

    /// The SARIF `level`.
    pub fn sarif_level(self) -> &'static str {
        match self {
            Self::Info => "note",
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
    /// The AWS page the rule follows.
    pub source: &'static str,
}

macro_rules! rules {
    ($($id:ident = $code:literal $name:literal $sev:ident $desc:literal $ex:literal $src:literal;)*) => {
        $(pub const $id: &Rule = &Rule {
            code: $code,
            name: $name,
            severity: Severity::$sev,
            description: $desc,
            example: $ex,
            source: $src,
        };)*
        /// Every rule, in code order.
        pub const RULES: &[&Rule] = &[$($id),*];
    };
}

rules! {
    INVALID_JSON = "FS000" "invalid-json" Error
        "The file is not JSON (or not UTF-8 text)."
        "`{\"Actions\": [`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/API_CreateContactFlow.html";
    LEGACY_FORMAT = "FS001" "legacy-format" Error
        "The pre-2020 console export format (top-level `modules`), which Connect no longer imports."
        "`{\"modules\": [...], \"start\": \"...\"}`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/flow-language.html";
    START_ACTION = "FS002" "start-action" Error
        "`StartAction` is missing, empty, or names no action."
        "`\"StartAction\": \"Welcome\"` with no action `Welcome`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/flow-language.html";
    DANGLING_TARGET = "FS003" "dangling-target" Error
        "A transition names an action that is not in the flow."
        "`\"NextAction\": \"Good Bye\"` with no action `Good Bye`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html";
    DUPLICATE_IDENTIFIER = "FS004" "duplicate-identifier" Error
        "Two actions share one `Identifier`."
        "two actions with `\"Identifier\": \"Menu\"`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html";
    INVALID_FLOW = "FS005" "invalid-flow" Error
        "Valid JSON that flowsim cannot load as a flow (missing `Actions`, wrong value types, ...)."
        "`\"LoopCount\": [1]`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/flow-language.html";
    EMPTY_TARGET = "FS101" "empty-target" Warning
        "A branch of a non-terminal block leads nowhere: the call hangs up there."
        "MessageParticipant with `\"Transitions\": {\"NextAction\": \"\"}`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html";
    INVALID_IDENTIFIER = "FS102" "invalid-identifier" Error
        "An `Identifier` is empty, longer than 50 characters, contains one of `% : ( \\ / ) = $ , ; [ ] { }`, or is a forbidden name such as `__proto__`."
        "`\"Identifier\": \"Menu (main)\"`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html";
    UNREACHABLE_BLOCK = "FS103" "unreachable-block" Warning
        "No path from `StartAction` leads to the block."
        "an action no transition names"
        "https://docs.aws.amazon.com/connect/latest/adminguide/contact-flow-import-export.html";
    INFINITE_LOOP = "FS104" "infinite-loop" Error
        "A cycle the call can never leave and that never waits for the caller: it runs until the step budget stops it."
        "A -> B -> A, both MessageParticipant, no other branches"
        "https://docs.aws.amazon.com/connect/latest/adminguide/bp-contact-flows.html";
    NO_EXIT_CYCLE = "FS105" "no-exit-cycle" Warning
        "A cycle the call can never leave, though it waits for input: only the caller hanging up ends the call."
        "GetParticipantInput whose every branch leads back to itself"
        "https://docs.aws.amazon.com/connect/latest/adminguide/bp-contact-flows.html";
    INPUT_NO_ERROR_BRANCH = "FS106" "input-missing-error-branch" Error
        "GetParticipantInput without a `NoMatchingError` branch (Connect requires one)."
        "`\"Errors\": [{\"ErrorType\": \"InputTimeLimitExceeded\", ...}]` only"
        "https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions-getparticipantinput.html";
    STORE_MODE_CONDITIONS = "FS107" "store-mode-conditions" Error
        "GetParticipantInput in store mode (`StoreInput` `True`) with conditions; store mode has no result to compare."
        "`\"StoreInput\": \"True\"` with `\"Conditions\": [...]`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions-getparticipantinput.html";
    MENU_CONDITION = "FS108" "menu-condition" Error
        "A menu condition that is not `Equals` with one key (`0`-`9`, `*`, `#`)."
        "`{\"Operator\": \"Equals\", \"Operands\": [\"12\"]}`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions-getparticipantinput.html";
    LOOP_BRANCHES = "FS109" "loop-branches" Error
        "Loop without both `ContinueLooping` and `DoneLooping` conditions (or with others)."
        "Loop with only `ContinueLooping`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/flow-control-actions-loop.html";
    COMPARE_NOT_PATH = "FS110" "compare-value-not-path" Error
        "Compare's `ComparisonValue` is not a single reference path into a known namespace."
        "`\"ComparisonValue\": \"LambdaError\"`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/flow-control-actions-compare.html";
    UNKNOWN_ACTION_TYPE = "FS111" "unknown-action-type" Error
        "An action `Type` that is not in the flow language (often a console block name)."
        "`\"Type\": \"PlayPrompt\"` (use `MessageParticipant`)"
        "https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html";
    UNKNOWN_PARAMETER = "FS112" "unknown-parameter" Warning
        "A parameter the action type does not take, usually misspelt; the closest known name is suggested."
        "`\"InputTimeoutSeconds\": \"5\"` (use `InputTimeLimitSeconds`)"
        "https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html";
    LAMBDA_TIMEOUT_RANGE = "FS113" "lambda-timeout-range" Error
        "InvokeLambdaFunction `InvocationTimeLimitSeconds` outside 1-8 (1-60 with `InvocationType` `ASYNCHRONOUS`)."
        "`\"InvocationTimeLimitSeconds\": \"20\"`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/interactions-invokelambdafunction.html";
    BOOLEAN_CASE = "FS114" "lambda-boolean-case" Warning
        "A Lambda result compared against a boolean spelling the function does not return (`True` vs `true`; `Equals` is case-sensitive)."
        "Compare `$.External.ok` with `Equals True` when the function is JavaScript"
        "https://docs.aws.amazon.com/connect/latest/adminguide/connect-lambda-functions.html";
    UNDEFINED_ATTRIBUTE = "FS115" "undefined-attribute" Warning
        "A reference to `$.Attributes.x` (or `$.FlowAttributes.x`) that no UpdateContactAttributes (UpdateFlowAttributes) block sets: a warning when the key looks misspelt or is a flow attribute, a note when no flow given to `check` (or under `--flows`) sets it (the agent application or an API may)."
        "`$.Attributes.Langauge` when only `Language` is set"
        "https://docs.aws.amazon.com/connect/latest/adminguide/connect-attrib-list.html";
    STALE_EXTERNAL = "FS116" "stale-external" Warning
        "A block reads `$.External` where the last Lambda run depends on the path taken: each invocation replaces `$.External`."
        "Lambda A -> Lambda B -> prompt reading A's `$.External.x`"
        "https://docs.aws.amazon.com/connect/latest/adminguide/connect-lambda-functions.html";
    MALFORMED_SSML = "FS117" "malformed-ssml" Error
        "An `SSML` prompt that is not well-formed (the block would take `NoMatchingError`)."
        "`\"SSML\": \"<speak>Hello <break time='1s'></speak>\"`"
        "https://docs.aws.amazon.com/connect/latest/adminguide/supported-ssml-tags.html";
    FLOW_TYPE = "FS118" "flow-type-restriction" Error
        "An action that the flow's type does not allow (the catalogue's flow types). The type is the API wrapper's `Type`, else `Metadata.type`, else `--flow-type`; otherwise it is inferred and the finding is a warning."
        "EndFlowExecution in an inbound `contactFlow`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html";
    STORE_TIMEOUT = "FS119" "store-timeout-unchecked" Warning
        "A store-mode GetParticipantInput whose value is used, but no Compare after it checks for `Timeout` (store mode succeeds with `$.StoredCustomerInput = \"Timeout\"` when the caller keys nothing)."
        "store input -> Set attribute TargetNumber = $.StoredCustomerInput -> Lambda"
        "https://docs.aws.amazon.com/connect/latest/adminguide/store-customer-input.html";
    MISSING_PARAMETER = "FS120" "missing-parameter" Error
        "A parameter the block cannot work without is missing or empty (a draft saved in the console): the Lambda ARN, the queue, the flow or module to go to, a Play prompt's prompt, store mode's `InputValidation`, the catalogue's required parameters. Connect will not publish the flow; flowsim runs it and the block takes its error branch."
        "InvokeLambdaFunction with no `LambdaFunctionARN`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html";
    MISSING_ERROR_BRANCH = "FS121" "missing-error-branch" Error
        "An action without an error branch Connect requires for it: TransferContactToQueue's `QueueAtCapacity` and `NoMatchingError`, UpdateContactCallbackNumber's `InvalidCallbackNumber` and `CallbackNumberNotDialable`, UpdateContactRecordingAndAnalyticsBehavior's `NoMatchingError` and `ChannelMismatch` (and `InFlightRedactionConfigurationFailed` with `ChatBehavior`), ShowView's three, DistributeByPercentage's remainder (`NoMatchingCondition`), TagContact/UntagContact's `NoMatchingError`."
        "TransferContactToQueue with only a `NoMatchingError` branch"
        "https://docs.aws.amazon.com/connect/latest/APIReference/contact-actions-transfercontacttoqueue.html";
    ERROR_NOT_ALLOWED = "FS122" "error-branch-not-allowed" Error
        "An error branch whose `ErrorType` the action cannot raise (the catalogue's error list); Connect refuses it."
        "UpdateContactCallbackNumber with a `NoMatchingError` branch"
        "https://docs.aws.amazon.com/connect/latest/APIReference/contact-actions-updatecontactcallbacknumber.html";
    INPUT_NO_STORE_INPUT = "FS123" "input-missing-store-input" Error
        "GetParticipantInput without `StoreInput` (`True` for store mode, `False` for a menu); Connect requires it."
        "GetParticipantInput with `Text` and `InputTimeLimitSeconds` only"
        "https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions-getparticipantinput.html";
    MENU_MISSING_BRANCH = "FS124" "menu-missing-branch" Error
        "A menu-mode GetParticipantInput without its `InputTimeLimitExceeded` or `NoMatchingCondition` branch."
        "`\"StoreInput\": \"False\"` with only a `NoMatchingError` branch"
        "https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions-getparticipantinput.html";
    STORE_MODE_NO_MATCH = "FS125" "store-mode-no-matching-condition" Error
        "A store-mode GetParticipantInput with a `NoMatchingCondition` branch: store mode has no conditions, and Connect refuses the branch."
        "`\"StoreInput\": \"True\"` with `{\"ErrorType\": \"NoMatchingCondition\"}`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions-getparticipantinput.html";
    CONDITION_NOT_ALLOWED = "FS126" "condition-not-allowed" Error
        "A condition the action does not allow: conditions on an action with no result, an operator other than the ones its page lists, an operand it cannot return (CheckHoursOfOperation `True`/`False`, Loop prompts `MessagesInterrupted`, Wait `WaitCompleted` and its events, call progress results), or required conditions missing (CheckMetricData, CheckHoursOfOperation, Wait)."
        "CheckHoursOfOperation with `Equals Open`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/flow-control-actions-checkhoursofoperation.html";
    MISSING_NEXT_ACTION = "FS127" "missing-next-action" Error
        "An action without the `NextAction` Connect requires for it (CheckHoursOfOperation, Loop)."
        "CheckHoursOfOperation with conditions and errors but no `NextAction`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/flow-control-actions-checkhoursofoperation.html";
    CHANNEL_RESTRICTION = "FS128" "channel-restriction" Error
        "An action that works only on other channels than the flow's (`--channel`): ShowView, Wait, Authenticate customer are chat-only. A warning when the flow's channel is not known."
        "ShowView in a flow checked with `--channel VOICE`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions-showview.html";
    TOO_MANY_ACTIONS = "FS129" "too-many-actions" Error
        "More than 250 actions in one flow: Connect refuses to publish it (flowsim still runs it)."
        "a flow with 251 actions"
        "https://docs.aws.amazon.com/connect/latest/APIReference/flow-language.html";
    PROMPT_TOO_LONG = "FS130" "prompt-too-long" Error
        "Prompt text over 3,000 characters (SSML: 3,000 outside tags, 6,000 in all) in a Text or SSML parameter, including each of Loop prompts' `Messages`."
        "`\"Text\": \"…3,001 characters…\"`"
        "https://docs.aws.amazon.com/connect/latest/adminguide/feature-limits.html";
    PARAMETER_CONFLICT = "FS131" "parameter-conflict" Error
        "Parameters Connect refuses together: `QueueId` with `AgentId`, two routing adjustments, two prompts in one block, two recording behaviors, `InputValidation` on a menu, `InputEncryption` without `CustomValidation`."
        "UpdateContactTargetQueue with both `QueueId` and `AgentId`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/contact-actions-updatecontacttargetqueue.html";
    PARAMETER_RANGE = "FS132" "parameter-range" Error
        "A static parameter outside the range its action page gives: Loop `LoopCount` 0-100, Wait `TimeLimitSeconds` 1-604,800, `InputTimeLimitSeconds` above 0, third-party timeout 0-600 and DTMF digits (50 of 0-9 , * #), routing priority, callback delays 1-259,200, task delay 1-518,400, Voice ID thresholds."
        "`\"LoopCount\": \"101\"`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/flow-control-actions-loop.html";
    STAR_TERMINATOR = "FS133" "star-terminator-cancel-key" Error
        "Store customer input whose terminator contains `*` without `DisableCancelKey`: `*` is the cancel key, so the caller can never end the entry with it (the admin guide: to use `*` as a terminator, disable the cancel key)."
        "`\"InputTerminationSequence\": \"*\"` with no `\"DisableCancelKey\": \"True\"`"
        "https://docs.aws.amazon.com/connect/latest/adminguide/store-customer-input.html";
    PARTIAL_JSONPATH = "FS134" "partial-jsonpath" Warning
        "A parameter value with a JSONPath reference inside other text (`\"id-$.Attributes.X\"`): a reference \"must be the entirety of the value\"; only prompt text (`Text`, `SSML`) interpolates. Connect does not resolve it."
        "`\"QueueId\": \"arn:…/queue/$.Attributes.Q\"`"
        "https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions-parameter-restrictions.html";
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
         | code | name | severity | finds | example | source |\n|---|---|---|---|---|---|\n",
    );
    for r in RULES {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | [{}]({}) |\n",
            r.code,
            r.name,
            r.severity.as_str(),
            r.description.replace('|', "\\|"),
            r.example.replace('|', "\\|"),
            r.source.rsplit('/').next().unwrap_or(r.source),
            r.source,
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
  parameter, where no UpdateContactAttributes of this flow has the key `x`. Keys set by an
  UpdateContactAttributes of any other file given to the same `check` (or under `--flows DIR`:
  the flows that transfer here, the modules) count as set. A warning when a set key is within a
  few edits of `x` (a likely misspelling); otherwise a note: the agent application, a contact
  API call or an earlier flow may set it. `$.FlowAttributes.x` unset in the flow is a warning
  (flow attributes do not carry over).
- **FS116 stale-external**: a reaching-definitions pass over the graph where each
  InvokeLambdaFunction block defines `$.External`. A block reading `$.External.*` is flagged when
  the Lambdas that may have run last before it call different functions. A path with no Lambda
  before the read is not flagged: a flow entered by TransferToFlow sees its caller's `$.External`.
- **FS119 store-timeout-unchecked**: from the success branch of a store-mode
  GetParticipantInput, every block reachable (without passing another store-mode input) is
  searched. If one of them reads `$.StoredCustomerInput` but none is a Compare on
  `$.StoredCustomerInput`, or on `$.Attributes.k` where `k` is set to exactly
  `$.StoredCustomerInput`, the block is flagged.
- **FS118 flow-type-restriction**: the catalogue's `flows` column (`docs/actions.md`), e.g.
  EndFlowExecution only in whisper and customer-queue flows; TransferToFlow not in customer-queue
  flows; MessageParticipant and CheckHoursOfOperation not in hold flows; CreateCallbackContact and
  DistributeByPercentage not in whisper flows; DequeueContactAndTransferToQueue only in
  customer-queue flows; TransferContactToAgent only in transfer flows. The type comes from the API
  wrapper's `Type` (`describe-contact-flow`; a `describe-contact-flow-module` wrapper is a module),
  else `Metadata.type`, else `--flow-type`. Otherwise it is inferred: a module when the flow has
  EndFlowModuleExecution or `Settings`, else the first of inbound, customer queue, whispers, holds,
  transfers that allows the most blocks; findings on an inferred type are warnings.
- **FS121–FS127** follow the action pages (`docs/actions.md` lists each type's errors). FS122 is
  checked only on types whose parameters the catalogue lists. FS124: a menu (`StoreInput`
  `False`) needs both `InputTimeLimitExceeded` and `NoMatchingCondition`; FS123 exempts the
  console's Set Touchtone Buffer Behavior (`EnableDTMFBuffer`).
- **FS128 channel-restriction**: with `--channel` (or `FLOWSIM_CHANNEL`), an action whose catalogue
  channels exclude it is an error. Without it, a voice-only action is assumed fine, and a
  chat-only one (ShowView, Wait, Authenticate customer, persistent chat) is one warning per flow
  and type, unless the flow says: every path from the start to the block passes a Compare on
  `$.Channel` through an Equals condition naming one of the action's channels.
- **FS130 prompt-too-long**: `Text` over 3,000 characters; `SSML` over 3,000 characters outside
  tags or 6,000 in all; in every action's parameters and in each of `Messages`.

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
