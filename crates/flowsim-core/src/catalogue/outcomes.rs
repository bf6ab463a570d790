//! Which setting selects each branch of each action type: the one table that
//! `docs/actions.md` ([`super::markdown`]) prints and `tests/catalogue_branches.rs`
//! runs (a small flow per row, generated from the catalogue entry and [`base`]).
//!
//! A row's `setting` is `.call` text (settings, then what the caller does), so it
//! reads as a user would write it and runs as the test runs it. A row's `params` are
//! laid over the type's [`base`] parameters (JSON merge: `null` removes a key) when
//! the block's own parameters select the branch. The test key `_working_queue` in
//! parameters puts a Set working queue block to that queue before the block.

use super::{ActionType, ErrorType, FlowType};

/// A branch of a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Branch {
    /// `NextAction`.
    Next,
    /// A condition: operator and operand, as the block's `Conditions` write them.
    Cond(&'static str, &'static str),
    /// An error branch.
    Error(ErrorType),
    /// The contact leaves the flow: `expect end HOW` in `.call` terms.
    End(&'static str),
    /// The call moves to another flow (`Target`, which says "reached the target flow").
    Transfer,
}

impl Branch {
    /// How the branch reads in the docs and in the test's marker prompt.
    pub fn label(self) -> String {
        match self {
            Self::Next => "Next".into(),
            Self::Cond(op, operand) => format!("{op} {operand}"),
            Self::Error(e) => e.as_str().into(),
            Self::End(how) => format!("ends ({how})"),
            Self::Transfer => "transfers to the flow".into(),
        }
    }
}

/// What selects a branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selects {
    /// These `.call` lines (empty: nothing set, the documented default).
    Script(&'static str),
    /// flowsim never takes it (allowed only for types the catalogue marks "no error").
    Never(&'static str),
}

/// One row: an action type's branch and what selects it.
#[derive(Clone, Copy, Debug)]
pub struct Outcome {
    pub action: ActionType,
    pub branch: Branch,
    /// Parameters laid over [`base`] (JSON object text; empty for none).
    pub params: &'static str,
    pub selects: Selects,
    /// `$.…` values the branch sets: (reference, value).
    pub sets: &'static [(&'static str, &'static str)],
}

/// A type's block as the test builds it: parameters (its required ones included)
/// and the flow type it sits in.
pub fn base(action: ActionType) -> (&'static str, FlowType) {
    use ActionType as A;
    match action {
        A::MessageParticipant => (r#"{"Text":"Hello"}"#, FlowType::ContactFlow),
        A::GetParticipantInput => (
            r#"{"Text":"Press 1","StoreInput":"False","InputTimeLimitSeconds":"5"}"#,
            FlowType::ContactFlow,
        ),
        A::ConnectParticipantWithLexBot => (
            r#"{"Text":"How can I help?","LexV2Bot":{"AliasArn":"arn:aws:lex:us-east-1:000000000000:bot-alias/BOT/ALIAS"}}"#,
            FlowType::ContactFlow,
        ),
        A::MessageParticipantIteratively => (
            r#"{"Messages":[{"Text":"Please hold"}]}"#,
            FlowType::CustomerQueue,
        ),
        A::ShowView => (
            r#"{"ViewResource":{"Id":"arn:aws:connect:us-east-1:000000000000:instance/i/view/form:$LATEST"},"InvocationTimeLimitSeconds":"300"}"#,
            FlowType::ContactFlow,
        ),
        A::TransferParticipantToThirdParty => (
            r#"{"ThirdPartyPhoneNumber":"+13035550100","ThirdPartyConnectionTimeLimitSeconds":"30","ContinueFlowExecution":"True"}"#,
            FlowType::ContactFlow,
        ),
        A::AuthenticateParticipant => (r#"{"TimeLimitMinutes":"5"}"#, FlowType::ContactFlow),
        A::CheckHoursOfOperation => (
            r#"{"HoursOfOperationId":"arn:aws:connect:us-east-1:000000000000:instance/i/operating-hours/Main"}"#,
            FlowType::ContactFlow,
        ),
        A::CheckMetricData => (
            r#"{"MetricType":"NumberOfAgentsOnline","QueueId":"arn:aws:connect:us-east-1:000000000000:instance/i/queue/Sales"}"#,
            FlowType::ContactFlow,
        ),
        A::CheckVoiceId => (
            r#"{"CheckVoiceIdOption":"voiceAuthentication"}"#,
            FlowType::ContactFlow,
        ),
        A::Compare => (
            r#"{"ComparisonValue":"$.Attributes.x"}"#,
            FlowType::ContactFlow,
        ),
        A::EndFlowExecution => ("{}", FlowType::CustomerQueue),
        A::GetMetricData | A::DequeueContactAndTransferToQueue => (
            r#"{"QueueId":"arn:aws:connect:us-east-1:000000000000:instance/i/queue/Sales"}"#,
            if action == A::GetMetricData {
                FlowType::ContactFlow
            } else {
                FlowType::CustomerQueue
            },
        ),
        A::Loop => (r#"{"LoopCount":"1"}"#, FlowType::ContactFlow),
        A::TransferToFlow => (
            r#"{"ContactFlowId":"arn:aws:connect:us-east-1:000000000000:instance/i/contact-flow/target"}"#,
            FlowType::ContactFlow,
        ),
        A::UpdateFlowAttributes => (r#"{"FlowAttributes":{"k":"v"}}"#, FlowType::ContactFlow),
        A::UpdateFlowLoggingBehavior => (
            r#"{"FlowLoggingBehavior":"Enabled"}"#,
            FlowType::ContactFlow,
        ),
        A::UpdateContactRoutingCriteria => (
            r#"{"RoutingCriteria":{"Steps":[{"Expiry":{"DurationInSeconds":30}}]}}"#,
            FlowType::ContactFlow,
        ),
        A::Wait => (
            r#"{"TimeLimitSeconds":"60","Events":["CustomerReturned"]}"#,
            FlowType::ContactFlow,
        ),
        A::CreateCase => (
            r#"{"LinkContactToCase":"true","CaseTemplateId":"t1","CaseRequestFields":{"customer_id":"arn:aws:profile:us-east-1:000000000000:domains/d/profiles/p1","title":"Help"}}"#,
            FlowType::ContactFlow,
        ),
        A::CreateTask => (
            r#"{"Name":"Call back","ContactFlowId":"arn:aws:connect:us-east-1:000000000000:instance/i/contact-flow/task"}"#,
            FlowType::ContactFlow,
        ),
        A::CreateWisdomSession => (
            r#"{"WisdomAssistantArn":"arn:aws:wisdom:us-east-1:000000000000:assistant/a"}"#,
            FlowType::ContactFlow,
        ),
        A::EndFlowModuleExecution => ("{}", FlowType::ContactFlowModule),
        A::GetCase => (
            r#"{"LinkContactToCase":"false","CaseRequestFields":{"customer_id":"c1"}}"#,
            FlowType::ContactFlow,
        ),
        A::InvokeFlowModule => (
            r#"{"FlowModuleId":"arn:aws:connect:us-east-1:000000000000:instance/i/flow-module/module"}"#,
            FlowType::ContactFlow,
        ),
        A::StartOutboundChatContact => (
            r#"{"SourceEndpoint":{"Address":"+18005550199","Type":"TELEPHONE_NUMBER"},"DestinationEndpoint":{"Address":"$.CustomerEndpoint.Address","Type":"TELEPHONE_NUMBER"},"ContactSubtype":"connect:SMS"}"#,
            FlowType::ContactFlow,
        ),
        A::TagContact => (r#"{"Tags":{"team":"sales"}}"#, FlowType::ContactFlow),
        A::UnTagContact => (r#"{"TagKeys":["team"]}"#, FlowType::ContactFlow),
        A::TransferContactToAgent => ("{}", FlowType::AgentTransfer),
        A::TransferContactToQueue => (r#"{"_working_queue":"Sales"}"#, FlowType::ContactFlow),
        A::UpdateCase => (
            r#"{"LinkContactToCase":"false","CaseId":"k1","CaseRequestFields":{"status":"closed"}}"#,
            FlowType::ContactFlow,
        ),
        A::UpdateContactAttributes => (
            r#"{"Attributes":{"k":"v"},"TargetContact":"Current"}"#,
            FlowType::ContactFlow,
        ),
        A::UpdateContactCallbackNumber => (
            r#"{"CallbackNumber":"+13035550100"}"#,
            FlowType::ContactFlow,
        ),
        A::UpdateContactData => (r#"{"Name":"Refund"}"#, FlowType::ContactFlow),
        A::UpdateContactEventHooks => (
            r#"{"EventHooks":{"CustomerQueue":"arn:aws:connect:us-east-1:000000000000:instance/i/contact-flow/q"}}"#,
            FlowType::ContactFlow,
        ),
        A::UpdateContactMediaProcessing => (
            r#"{"ChatProcessor":{"ProcessingEnabled":"true"}}"#,
            FlowType::ContactFlow,
        ),
        A::UpdateContactMediaStreamingBehavior => (
            r#"{"MediaStreamingState":"Enabled","MediaStreamType":"Audio"}"#,
            FlowType::ContactFlow,
        ),
        A::UpdateContactRecordingAndAnalyticsBehavior => (
            r#"{"VoiceBehavior":{"VoiceRecordingBehavior":{"RecordedParticipants":["Agent","Customer"]}}}"#,
            FlowType::ContactFlow,
        ),
        A::UpdateContactRecordingBehavior => (
            r#"{"RecordingBehavior":{"RecordedParticipants":["Agent"]}}"#,
            FlowType::ContactFlow,
        ),
        A::UpdateContactRoutingBehavior => (r#"{"QueuePriority":"1"}"#, FlowType::ContactFlow),
        A::UpdateContactTargetQueue => (
            r#"{"QueueId":"arn:aws:connect:us-east-1:000000000000:instance/i/queue/Sales"}"#,
            FlowType::ContactFlow,
        ),
        A::UpdateContactTextToSpeechVoice => {
            (r#"{"TextToSpeechVoice":"Matthew"}"#, FlowType::ContactFlow)
        }
        A::UpdatePreviousContactParticipantState => (
            r#"{"PreviousContactParticipantState":"AgentHold"}"#,
            FlowType::ContactFlow,
        ),
        A::AssociateContactToCustomerProfile => (
            r#"{"ProfileRequestData":{"ProfileId":"p1"}}"#,
            FlowType::ContactFlow,
        ),
        A::CreateCallbackContact => (
            r#"{"QueueId":"arn:aws:connect:us-east-1:000000000000:instance/i/queue/Sales","InitialCallDelaySeconds":"60"}"#,
            FlowType::ContactFlow,
        ),
        A::CreateCustomerProfile => (
            r#"{"ProfileRequestData":{"FirstName":"Ana","PhoneNumber":"$.CustomerEndpoint.Address"}}"#,
            FlowType::ContactFlow,
        ),
        A::InvokeLambdaFunction => (
            r#"{"LambdaFunctionARN":"arn:aws:lambda:us-east-1:000000000000:function:fn","InvocationTimeLimitSeconds":"3"}"#,
            FlowType::ContactFlow,
        ),
        A::GetCustomerProfile => (
            r#"{"ProfileRequestData":{"IdentifierName":"_phone","IdentifierValue":"$.CustomerEndpoint.Address"}}"#,
            FlowType::ContactFlow,
        ),
        A::GetCustomerProfileObject => (
            r#"{"ProfileRequestData":{"ProfileId":"p1","ObjectType":"_order","UseLatest":"true"}}"#,
            FlowType::ContactFlow,
        ),
        A::GetCalculatedAttributesForCustomerProfile | A::UpdateCustomerProfile => (
            r#"{"ProfileRequestData":{"ProfileId":"p1"}}"#,
            FlowType::ContactFlow,
        ),
        A::EvaluateDataTableValues => (
            r#"{"DataTableId":"arn:aws:connect:us-east-1:000000000000:instance/i/data-table/prices","Queries":[{"QueryName":"q","Attributes":["price"],"PrimaryValues":[{"AttributeName":"name","Value":"basic"}]}]}"#,
            FlowType::ContactFlow,
        ),
        A::ListDataTableValues => (
            r#"{"DataTableId":"arn:aws:connect:us-east-1:000000000000:instance/i/data-table/prices","PrimaryKeyGroups":[{"PrimaryKeyGroupName":"g","PrimaryValues":[{"Name":"name","Value":"basic"}]}]}"#,
            FlowType::ContactFlow,
        ),
        A::UpsertDataTableValues => (
            r#"{"DataTableId":"arn:aws:connect:us-east-1:000000000000:instance/i/data-table/prices","DataTableUpsertAttributes":{"name":"basic","price":"12"}}"#,
            FlowType::ContactFlow,
        ),
        A::LoadContactContent => (r#"{"ContentType":"EmailMessage"}"#, FlowType::ContactFlow),
        A::CreatePersistentContactAssociation => (
            r#"{"RehydrationType":"ENTIRE_PAST_SESSION","SourceContactId":"$.ContactId"}"#,
            FlowType::ContactFlow,
        ),
        A::CreateContact => (
            r#"{"Channel":"EMAIL","RelatedContact":"CURRENT"}"#,
            FlowType::ContactFlow,
        ),
        A::StartOutboundEmailContact => (
            r#"{"FromEmailAddress":{"EmailAddress":"help@example.com"},"DestinationEmailAddress":{"EmailAddress":"ana@example.com"}}"#,
            FlowType::ContactFlow,
        ),
        A::RenderMessageTemplate => (
            r#"{"WisdomKnowledgeBaseArn":"arn:aws:wisdom:us-east-1:000000000000:knowledge-base/k","WisdomMessageTemplateArn":"arn:aws:wisdom:us-east-1:000000000000:message-template/k/t"}"#,
            FlowType::ContactFlow,
        ),
        A::RouteContactToAgent => ("{}", FlowType::CustomerQueue),
        A::DisconnectParticipant
        | A::ConnectParticipantWithAgenticCX
        | A::CheckOutboundCallStatus
        | A::DistributeByPercentage
        | A::StartVoiceIdStream
        | A::CompleteOutboundCall
        | A::ResumeContact
        | A::CheckSegmentMembership => ("{}", FlowType::ContactFlow),
    }
}

use ActionType as A;
use Branch::{Cond, End, Error as Err, Next, Transfer};
use ErrorType as E;
use Selects::{Never, Script};

const fn row(
    action: ActionType,
    branch: Branch,
    params: &'static str,
    selects: Selects,
    sets: &'static [(&'static str, &'static str)],
) -> Outcome {
    Outcome {
        action,
        branch,
        params,
        selects,
        sets,
    }
}

const NONE: &[(&str, &str)] = &[];
const CHAT: Selects = Script("channel chat");
const VOICE: Selects = Script("");
const DEFAULT: Selects = Script("");

/// Every branch of every action type and what selects it, in catalogue order.
#[rustfmt::skip]
pub const OUTCOMES: &[Outcome] = &[
    // ---- participant actions
    row(A::MessageParticipant, Next, "", DEFAULT, NONE),
    row(A::MessageParticipant, Err(E::NoMatchingError), r#"{"Text":null,"SSML":"<speak>Hello <break"}"#, DEFAULT, NONE),
    row(A::GetParticipantInput, Cond("Equals", "1"), "", Script("press 1"), NONE),
    row(A::GetParticipantInput, Err(E::NoMatchingCondition), "", Script("press 2"), NONE),
    row(A::GetParticipantInput, Err(E::InputTimeLimitExceeded), "", Script("silence"), NONE),
    row(A::GetParticipantInput, Err(E::InvalidPhoneNumber), r#"{"StoreInput":"True","InputValidation":{"PhoneNumberValidation":{"NumberFormat":"Local","CountryCode":"US"}}}"#, Script("press 12#"), NONE),
    row(A::GetParticipantInput, Err(E::NoMatchingError), r#"{"Text":null,"SSML":"<speak>Press 1 <break"}"#, DEFAULT, NONE),
    row(A::ConnectParticipantWithLexBot, Cond("Equals", "Order"), "", Script("lex * = intent:Order\nsay \"I want to order\""), &[("$.Lex.IntentName", "Order")]),
    row(A::ConnectParticipantWithLexBot, Err(E::NoMatchingCondition), "", Script("lex * = intent:Cancel\nsay \"cancel it\""), &[("$.Lex.IntentName", "Cancel")]),
    row(A::ConnectParticipantWithLexBot, Err(E::InputTimeLimitExceeded), "", Script("lex * = intent:Order\nsilence"), NONE),
    row(A::ConnectParticipantWithLexBot, Err(E::NoMatchingError), r#"{"Text":null,"SSML":"<speak>Hi <break"}"#, Script("lex * = intent:Order"), NONE),
    row(A::ConnectParticipantWithLexBot, Err(E::NoMatchingError), "", Script("lex * = error\nsay \"I want to order\""), NONE),
    row(A::DisconnectParticipant, End("disconnected"), "", DEFAULT, NONE),
    row(A::MessageParticipantIteratively, End("agent"), "", DEFAULT, NONE),
    row(A::MessageParticipantIteratively, Err(E::NoMatchingError), r#"{"Messages":[{"SSML":"<speak>Hold <break"}]}"#, DEFAULT, NONE),
    row(A::ShowView, Cond("Equals", "Submit"), "", Script("channel chat\nview \"form\" action Submit amount=10"), &[("$.Views.Action", "Submit"), ("$.Views.ViewResultData.amount", "10"),]),
    row(A::ShowView, Cond("Equals", "Back"), "", Script("channel chat\nview \"form\" action Back"), &[("$.Views.Action", "Back")]),
    row(A::ShowView, Err(E::NoMatchingCondition), "", Script("channel chat\nview \"form\" action Cancel"), &[("$.Views.Action", "Cancel")]),
    row(A::ShowView, Err(E::TimeLimitExceeded), "", Script("channel chat\nview \"form\" action timeout"), NONE),
    row(A::ShowView, Err(E::NoMatchingError), "", Script("channel voice"), NONE),
    row(A::ShowView, Err(E::NoMatchingError), "", Script("channel chat\nview \"block\" action error"), NONE),
    row(A::TransferParticipantToThirdParty, Next, "", DEFAULT, NONE),
    row(A::TransferParticipantToThirdParty, End("ended"), r#"{"ContinueFlowExecution":"False"}"#, DEFAULT, NONE),
    row(A::TransferParticipantToThirdParty, Err(E::CallFailed), "", Script(r#"env {"third_party":"failed"}"#), NONE),
    row(A::TransferParticipantToThirdParty, Err(E::ConnectionTimeLimitExceeded), "", Script(r#"env {"third_party":"no_answer"}"#), NONE),
    row(A::TransferParticipantToThirdParty, Err(E::NoMatchingError), "", CHAT, NONE),
    row(A::AuthenticateParticipant, Next, "", Script("channel chat\nenv {\"authentication\":\"success\"}"), NONE),
    row(A::AuthenticateParticipant, Cond("Equals", "OptedOut"), "", Script("channel chat\nenv {\"authentication\":\"opted_out\"}"), NONE),
    row(A::AuthenticateParticipant, Err(E::TimeLimitExceeded), "", CHAT, NONE),
    row(A::AuthenticateParticipant, Err(E::NoMatchingError), "", Script("channel chat\nenv {\"authentication\":\"error\"}"), NONE),
    row(A::ConnectParticipantWithAgenticCX, Next, "", Never("flowsim has no AI agent to connect"), NONE),
    row(A::ConnectParticipantWithAgenticCX, Err(E::NoMatchingError), "", DEFAULT, NONE),
    // ---- flow control
    row(A::CheckHoursOfOperation, Cond("Equals", "True"), "", Script("env {\"hours\":{\"Main\":true}}"), NONE),
    row(A::CheckHoursOfOperation, Cond("Equals", "False"), "", Script("hours closed"), NONE),
    row(A::CheckHoursOfOperation, Err(E::NoMatchingError), r#"{"HoursOfOperationId":null}"#, DEFAULT, NONE),
    row(A::CheckMetricData, Cond("NumberGreaterThan", "0"), "", Script("queue \"Sales\" agents_online 2"), NONE),
    row(A::CheckMetricData, Err(E::NoMatchingCondition), "", Script("queue \"Sales\" agents_online 0"), NONE),
    row(A::CheckMetricData, Err(E::NoMatchingError), r#"{"QueueId":null}"#, DEFAULT, NONE),
    row(A::CheckOutboundCallStatus, Cond("Equals", "CallAnswered"), "", DEFAULT, NONE),
    row(A::CheckOutboundCallStatus, Cond("Equals", "VoicemailBeep"), "", Script(r#"env {"call_progress":"VoicemailBeep"}"#), NONE),
    row(A::CheckOutboundCallStatus, Err(E::NoMatchingError), "", Script(r#"env {"call_progress":"NotDetected"}"#), NONE),
    row(A::CheckVoiceId, Cond("Equals", "Authenticated"), "", Script(r#"env {"voice_id":{"authentication":"Authenticated"}}"#), NONE),
    row(A::CheckVoiceId, Cond("Equals", "NotEnrolled"), "", DEFAULT, NONE),
    row(A::CheckVoiceId, Err(E::NoMatchingError), "", Script(r#"env {"voice_id":{"authentication":"Inconclusive"}}"#), NONE),
    row(A::Compare, Cond("Equals", "a"), "", Script("attribute x = a"), NONE),
    row(A::Compare, Err(E::NoMatchingCondition), "", Script("attribute x = b"), NONE),
    row(A::DistributeByPercentage, Cond("NumberLessThan", "101"), "", DEFAULT, NONE),
    row(A::DistributeByPercentage, Err(E::NoMatchingCondition), "", Never("taken when the roll (1-100, from --seed) is above every condition; the test's one block always matches",), NONE),
    row(A::EndFlowExecution, End("agent"), "", DEFAULT, NONE),
    row(A::GetMetricData, Next, "", Script("queue \"Sales\" contacts_in_queue 3 agents_available 0"), &[("$.Metrics.Queue.Size", "3"), ("$.Metrics.Agents.Available.Count", "0"),]),
    row(A::GetMetricData, Err(E::NoMatchingError), r#"{"QueueId":null}"#, DEFAULT, NONE),
    row(A::Loop, Cond("Equals", "ContinueLooping"), "", DEFAULT, NONE),
    row(A::Loop, Cond("Equals", "DoneLooping"), r#"{"LoopCount":"0"}"#, DEFAULT, NONE),
    row(A::Loop, Err(E::NoMatchingError), "", Never("a count that is not a number loops 0 times, with a warning"), NONE),
    row(A::StartVoiceIdStream, Next, "", DEFAULT, NONE),
    row(A::StartVoiceIdStream, Err(E::NoMatchingError), "", Never("the stream always starts"), NONE),
    row(A::TransferToFlow, Transfer, "", DEFAULT, NONE),
    row(A::TransferToFlow, Err(E::NoMatchingError), r#"{"ContactFlowId":"arn:aws:connect:us-east-1:000000000000:instance/i/contact-flow/missing"}"#, DEFAULT, NONE),
    row(A::UpdateFlowAttributes, Next, "", DEFAULT, &[("$.FlowAttributes.k", "v")]),
    row(A::UpdateFlowAttributes, Err(E::NoMatchingError), r#"{"FlowAttributes":{"a.b":"v"}}"#, DEFAULT, NONE),
    row(A::UpdateFlowLoggingBehavior, Next, "", DEFAULT, NONE),
    row(A::UpdateContactRoutingCriteria, Next, "", DEFAULT, NONE),
    row(A::UpdateContactRoutingCriteria, Err(E::NoMatchingError), "", Never("the criteria are recorded, not checked"), NONE),
    row(A::Wait, Cond("Equals", "WaitCompleted"), "", CHAT, NONE),
    row(A::Wait, Cond("Equals", "CustomerReturned"), "", Script("channel chat\nenv {\"customer_returns_after_secs\":5}"), NONE),
    row(A::Wait, Err(E::ParticipantNotFound), r#"{"Events":["BotParticipantDisconnected"]}"#, CHAT, NONE),
    row(A::Wait, Err(E::NoMatchingError), "", VOICE, NONE),
    // ---- contact actions
    row(A::CompleteOutboundCall, Next, "", DEFAULT, NONE),
    row(A::CreateCase, Next, "", DEFAULT, &[("$.Case.title", "Help")]),
    row(A::CreateCase, Err(E::ContactNotLinked), "", Script(r#"env {"case_link_fails":true}"#), &[("$.Case.title", "Help")]),
    row(A::CreateCase, Err(E::NoMatchingError), r#"{"CaseRequestFields":{"customer_id":null}}"#, DEFAULT, NONE),
    row(A::CreateTask, Next, "", DEFAULT, NONE),
    row(A::CreateTask, Err(E::NoMatchingError), "", Never("the task request is recorded"), NONE),
    row(A::CreateWisdomSession, Next, "", DEFAULT, NONE),
    row(A::CreateWisdomSession, Err(E::NoMatchingError), "", Never("the session request is recorded"), NONE),
    row(A::DequeueContactAndTransferToQueue, Next, "", DEFAULT, NONE),
    row(A::DequeueContactAndTransferToQueue, Err(E::QueueAtCapacity), "", Script("queue \"Sales\" at_capacity true"), NONE),
    row(A::DequeueContactAndTransferToQueue, Err(E::NoMatchingError), r#"{"QueueId":null}"#, DEFAULT, NONE),
    row(A::EndFlowModuleExecution, End("ended"), "", DEFAULT, NONE),
    row(A::GetCase, Next, "", Script(r#"env {"cases":[{"case_id":"k1","customer_id":"c1","fields":{"status":"open"}}]}"#), &[("$.Case.status", "open")]),
    row(A::GetCase, Err(E::NoneFound), "", DEFAULT, NONE),
    row(A::GetCase, Err(E::MultipleFound), "", Script(r#"env {"cases":[{"case_id":"k1","customer_id":"c1"},{"case_id":"k2","customer_id":"c1"}]}"#,), NONE),
    row(A::GetCase, Err(E::ContactNotLinked), r#"{"LinkContactToCase":"true"}"#, Script(r#"env {"case_link_fails":true,"cases":[{"case_id":"k1","customer_id":"c1"}]}"#), &[("$.Case.case_id", "k1")]),
    row(A::GetCase, Err(E::NoMatchingError), r#"{"CaseRequestFields":{"customer_id":null}}"#, DEFAULT, NONE),
    row(A::InvokeFlowModule, Cond("Equals", "Open"), "", Script("attribute result = Open"), &[("$.Modules.Result", "Open")]),
    row(A::InvokeFlowModule, Next, "", DEFAULT, NONE),
    row(A::InvokeFlowModule, Err(E::NoMatchingCondition), "", Script("attribute result = Closed"), &[("$.Modules.Result", "Closed")]),
    row(A::InvokeFlowModule, Err(E::NoMatchingError), r#"{"FlowModuleId":"arn:aws:connect:us-east-1:000000000000:instance/i/flow-module/missing"}"#, DEFAULT, NONE),
    row(A::StartOutboundChatContact, Next, "", DEFAULT, NONE),
    row(A::StartOutboundChatContact, Err(E::NoMatchingError), r#"{"DestinationEndpoint":null}"#, DEFAULT, NONE),
    row(A::TagContact, Next, "", DEFAULT, NONE),
    row(A::TagContact, Err(E::NoMatchingError), "", Never("tags are recorded"), NONE),
    row(A::TransferContactToAgent, End("ended"), "", DEFAULT, NONE),
    row(A::TransferContactToAgent, End("disconnected"), "", Script(r#"env {"agent_available":false}"#), NONE),
    row(A::TransferContactToQueue, End("queue \"Sales\""), "", DEFAULT, NONE),
    row(A::TransferContactToQueue, Err(E::QueueAtCapacity), "", Script("queue \"Sales\" at_capacity true"), NONE),
    row(A::TransferContactToQueue, Err(E::NoMatchingError), r#"{"_working_queue":null}"#, DEFAULT, NONE),
    row(A::UnTagContact, Next, "", DEFAULT, NONE),
    row(A::UnTagContact, Err(E::NoMatchingError), "", Never("tags are recorded"), NONE),
    row(A::UpdateCase, Next, "", Script(r#"env {"cases":[{"case_id":"k1"}]}"#), NONE),
    row(A::UpdateCase, Err(E::ContactNotLinked), r#"{"LinkContactToCase":"true"}"#, Script(r#"env {"case_link_fails":true,"cases":[{"case_id":"k1"}]}"#), NONE),
    row(A::UpdateCase, Err(E::NoMatchingError), "", DEFAULT, NONE),
    row(A::UpdateContactAttributes, Next, "", DEFAULT, &[("$.Attributes.k", "v")]),
    row(A::UpdateContactAttributes, Err(E::NoMatchingError), r#"{"Attributes":{"a.b":"v"}}"#, DEFAULT, NONE),
    row(A::UpdateContactCallbackNumber, Next, "", DEFAULT, NONE),
    row(A::UpdateContactCallbackNumber, Err(E::InvalidCallbackNumber), r#"{"CallbackNumber":"12"}"#, DEFAULT, NONE),
    row(A::UpdateContactCallbackNumber, Err(E::CallbackNumberNotDialable), "", Script(r#"env {"undialable_prefixes":["+1303"]}"#), NONE),
    row(A::UpdateContactData, Next, "", DEFAULT, &[("$.Name", "Refund")]),
    row(A::UpdateContactData, Err(E::NoMatchingError), "", Never("the contact's data is set as given"), NONE),
    row(A::UpdateContactEventHooks, Next, "", DEFAULT, NONE),
    row(A::UpdateContactEventHooks, Err(E::NoMatchingError), "", Never("the hooks are recorded"), NONE),
    row(A::UpdateContactMediaProcessing, Next, "", CHAT, NONE),
    row(A::UpdateContactMediaProcessing, Err(E::ChannelMismatch), "", VOICE, NONE),
    row(A::UpdateContactMediaProcessing, Err(E::NoMatchingError), r#"{"ChatProcessor":null}"#, CHAT, NONE),
    row(A::UpdateContactMediaStreamingBehavior, Next, "", DEFAULT, NONE),
    row(A::UpdateContactMediaStreamingBehavior, Err(E::NoMatchingError), "", Never("the streaming state is recorded"), NONE),
    row(A::UpdateContactRecordingAndAnalyticsBehavior, Next, "", VOICE, NONE),
    row(A::UpdateContactRecordingAndAnalyticsBehavior, Err(E::ChannelMismatch), "", CHAT, NONE),
    row(A::UpdateContactRecordingAndAnalyticsBehavior, Err(E::InFlightRedactionConfigurationFailed), r#"{"VoiceBehavior":null,"ChatBehavior":{"ChatAnalyticsBehavior":{"Enabled":"True"}}}"#, Script("channel chat\nenv {\"redaction_fails\":true}"), NONE),
    row(A::UpdateContactRecordingAndAnalyticsBehavior, Err(E::NoMatchingError), r#"{"VoiceBehavior":null}"#, DEFAULT, NONE),
    row(A::UpdateContactRecordingBehavior, Next, "", DEFAULT, NONE),
    row(A::ResumeContact, Next, "", Script("channel task"), NONE),
    row(A::ResumeContact, Err(E::NoMatchingError), "", VOICE, NONE),
    row(A::UpdateContactRoutingBehavior, Next, "", DEFAULT, NONE),
    row(A::UpdateContactTargetQueue, Next, "", DEFAULT, NONE),
    row(A::UpdateContactTargetQueue, Err(E::NoMatchingError), r#"{"QueueId":""}"#, DEFAULT, NONE),
    row(A::UpdateContactTextToSpeechVoice, Next, "", DEFAULT, NONE),
    row(A::UpdateContactTextToSpeechVoice, Err(E::NoMatchingError), r#"{"TextToSpeechVoice":"Robot"}"#, DEFAULT, NONE),
    row(A::UpdatePreviousContactParticipantState, Next, "", Never("flowsim's contact has no previous contact"), NONE),
    row(A::UpdatePreviousContactParticipantState, Err(E::NoMatchingError), "", DEFAULT, NONE),
    // ---- interactions
    row(A::AssociateContactToCustomerProfile, Next, "", DEFAULT, NONE),
    row(A::AssociateContactToCustomerProfile, Err(E::NoMatchingError), r#"{"ProfileRequestData":{"ProfileId":""}}"#, DEFAULT, NONE),
    row(A::CreateCallbackContact, Next, "", DEFAULT, NONE),
    row(A::CreateCallbackContact, Err(E::NoMatchingError), r#"{"QueueId":null}"#, DEFAULT, NONE),
    row(A::CreateCustomerProfile, Next, "", DEFAULT, &[("$.Customer.FirstName", "Ana")]),
    row(A::CreateCustomerProfile, Err(E::NoMatchingError), "", Script(r#"env {"customer_profiles":false}"#), NONE),
    row(A::InvokeLambdaFunction, Next, "", Script(r#"lambda fn = json:{"tier":"gold"}"#), &[("$.External.tier", "gold")]),
    row(A::InvokeLambdaFunction, Err(E::NoMatchingError), "", Script("lambda fn = error"), NONE),
    row(A::GetCustomerProfile, Next, "", Script("customer +15555550100 FirstName=Ana"), &[("$.Customer.FirstName", "Ana")]),
    row(A::GetCustomerProfile, Err(E::NoneFoundError), "", DEFAULT, NONE),
    row(A::GetCustomerProfile, Err(E::MultipleFoundError), "", Script("customer +15555550100 FirstName=Ana\ncustomer +15555550100 FirstName=Bo"), NONE),
    row(A::GetCustomerProfile, Err(E::NoMatchingError), "", Script(r#"env {"customer_profiles":false}"#), NONE),
    row(A::GetCustomerProfileObject, Next, "", Script(r#"env {"customers":[{"phone":"+15555550100","profile_id":"p1","objects":{"_order":{"OrderId":"o1"}}}]}"#,), &[("$.Customer.Order.OrderId", "o1")]),
    row(A::GetCustomerProfileObject, Err(E::NoneFoundError), "", DEFAULT, NONE),
    row(A::GetCustomerProfileObject, Err(E::NoMatchingError), r#"{"ProfileRequestData":{"ObjectType":""}}"#, DEFAULT, NONE),
    row(A::GetCalculatedAttributesForCustomerProfile, Next, "", Script(r#"env {"customers":[{"phone":"+15555550100","profile_id":"p1","calculated":{"_average_hold_time":"40"}}]}"#,), &[("$.Customer.CalculatedAttributes._average_hold_time", "40")]),
    row(A::GetCalculatedAttributesForCustomerProfile, Err(E::NoneFoundError), "", Script(r#"env {"customers":[{"phone":"+15555550100","profile_id":"p1"}]}"#), NONE),
    row(A::GetCalculatedAttributesForCustomerProfile, Err(E::NoMatchingError), r#"{"ProfileRequestData":{"ProfileId":""}}"#, DEFAULT, NONE),
    row(A::UpdateCustomerProfile, Next, r#"{"ProfileRequestData":{"ProfileId":"profile-1","FirstName":"Bo"}}"#, Script("customer +15555550100 FirstName=Ana"), &[("$.Customer.FirstName", "Bo"), ("$.Customer.ProfileId", "profile-1"),]),
    row(A::UpdateCustomerProfile, Err(E::NoMatchingError), "", DEFAULT, NONE),
    // ---- admin-guide-only and newer types
    row(A::EvaluateDataTableValues, Next, "", Script(r#"env {"data_tables":{"prices":[{"name":"basic","price":"10"},{"name":"gold","price":"30"}]}}"#,), &[("$.DataTables.q.price", "10")]),
    row(A::EvaluateDataTableValues, Err(E::NoMatchingError), "", DEFAULT, NONE),
    row(A::ListDataTableValues, Next, "", Script(r#"env {"data_tables":{"prices":[{"name":"basic","price":"10"},{"name":"gold","price":"30"}]}}"#,), &[("$.DataTableList.ResultData.dataTableId", "prices"), ("$.DataTableList.ResultData.primaryKeyGroups.g[0].attributes[0].attributeValue", "10",),]),
    row(A::ListDataTableValues, Err(E::NoMatchingError), "", DEFAULT, NONE),
    row(A::UpsertDataTableValues, Next, "", Script(r#"env {"data_tables":{"prices":[{"name":"basic","price":"10"}]}}"#), NONE),
    row(A::UpsertDataTableValues, Err(E::NoMatchingError), "", DEFAULT, NONE),
    row(A::LoadContactContent, Next, "", Script("channel email"), NONE),
    row(A::LoadContactContent, Err(E::NoMatchingError), "", VOICE, NONE),
    row(A::CreatePersistentContactAssociation, Next, "", CHAT, NONE),
    row(A::CreatePersistentContactAssociation, Err(E::NoMatchingError), "", VOICE, NONE),
    row(A::CreateContact, Next, "", DEFAULT, NONE),
    row(A::CreateContact, Err(E::NoMatchingError), r#"{"Channel":"FAX"}"#, DEFAULT, NONE),
    row(A::StartOutboundEmailContact, Next, "", DEFAULT, NONE),
    row(A::StartOutboundEmailContact, Err(E::NoMatchingError), r#"{"DestinationEmailAddress":{"EmailAddress":""}}"#, DEFAULT, NONE),
    row(A::RenderMessageTemplate, Next, "", DEFAULT, NONE),
    row(A::RenderMessageTemplate, Err(E::TemplateRenderingError), r#"{"WisdomMessageTemplateArn":""}"#, DEFAULT, NONE),
    row(A::RenderMessageTemplate, Err(E::NoMatchingError), r#"{"WisdomKnowledgeBaseArn":""}"#, DEFAULT, NONE),
    row(A::CheckSegmentMembership, Next, "", Never("segment membership is undocumented"), NONE),
    row(A::CheckSegmentMembership, Err(E::NoMatchingError), "", DEFAULT, NONE),
    row(A::RouteContactToAgent, Next, "", Never("RouteContactToAgent is undocumented"), NONE),
    row(A::RouteContactToAgent, Err(E::NoMatchingError), "", DEFAULT, NONE),
];

/// The rows of one type.
pub fn of(action: ActionType) -> impl Iterator<Item = &'static Outcome> {
    OUTCOMES.iter().filter(move |o| o.action == action)
}

impl Selects {
    /// How the docs show it: the `.call` lines, `; `-separated.
    pub fn describe(self) -> String {
        match self {
            Self::Script("") => "default".into(),
            Self::Script(s) => format!("`{}`", s.replace('\n', "`; `")),
            Self::Never(why) => format!("never ({why})"),
        }
    }
}
