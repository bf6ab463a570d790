//! `aws` / `aws:ALIAS_ARN`: the deployed bot, one RecognizeText call per turn
//! through aws-sdk-lexruntimev2.
//!
//! The set-up is the Lambda `aws` backend's ([`AwsClients`]): the same credential
//! chain and profile, `--aws-region` and `--aws-endpoint-url`, one SDK
//! configuration per region, and the same one-line causes for failures. The region
//! comes from the alias ARN (`arn:aws:lex:REGION:ACCOUNT:bot-alias/BOT_ID/ALIAS_ID`),
//! the bot and alias ids from its last two segments. The session id is the
//! contact id (one session per call); the session attributes go in
//! `sessionState.sessionAttributes` and come back from it.

use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_lexruntimev2::Client;
use aws_sdk_lexruntimev2::types::{SessionState, Slot};
use indexmap::IndexMap;

use super::LiveBot;
use crate::engine::{LexAnswer, LexOutcome, LexRequest};
use crate::lambda::BoxFuture;
use crate::lambda::aws::AwsClients;
use crate::lex::Recognition;

/// The live bots of one process, on the shared AWS clients.
#[derive(Debug)]
pub struct AwsLex {
    clients: Arc<AwsClients>,
}

impl AwsLex {
    pub fn new(clients: Arc<AwsClients>) -> Self {
        Self { clients }
    }

    async fn call(&self, request: &LexRequest) -> LexOutcome {
        let Some(alias) = AliasArn::parse(&request.alias_arn) else {
            return LexOutcome::Failed {
                cause: format!(
                    "`{}` is not a Lex V2 alias ARN (arn:aws:lex:REGION:ACCOUNT:bot-alias/BOT_ID/ALIAS_ID): \
                     map the bot with --lex 'PATTERN=aws:ALIAS_ARN'",
                    request.alias_arn
                ),
            };
        };
        let config = self.clients.config(Some(alias.region)).await;
        let client = Client::new(&config);
        let state = SessionState::builder()
            .set_session_attributes(Some(
                request
                    .session_attributes
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ))
            .build();
        let mut send = client
            .recognize_text()
            .bot_id(alias.bot_id)
            .bot_alias_id(alias.alias_id)
            .locale_id(&request.locale_id)
            .session_id(&request.session_id)
            .text(&request.text)
            .session_state(state);
        for (k, v) in &request.request_attributes {
            send = send.request_attributes(k, v);
        }
        match send.send().await {
            Ok(out) => LexOutcome::Answer(Box::new(answer(
                out.session_state(),
                out.interpretations(),
                out.messages(),
            ))),
            Err(e) => LexOutcome::Failed {
                cause: self.clients.explain(&request.alias_arn, &e).0,
            },
        }
    }
}

impl LiveBot for AwsLex {
    fn recognize<'a>(&'a self, request: &'a LexRequest) -> BoxFuture<'a, LexOutcome> {
        Box::pin(self.call(request))
    }
}

/// The parts of `arn:aws:lex:REGION:ACCOUNT:bot-alias/BOT_ID/ALIAS_ID`.
#[derive(Debug, PartialEq, Eq)]
struct AliasArn<'a> {
    region: &'a str,
    bot_id: &'a str,
    alias_id: &'a str,
}

impl<'a> AliasArn<'a> {
    fn parse(arn: &'a str) -> Option<Self> {
        let mut parts = arn.trim().splitn(6, ':');
        let (Some("arn"), Some(_), Some("lex"), Some(region), Some(_), Some(resource)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let mut r = resource.split('/');
        match (r.next(), r.next(), r.next(), r.next()) {
            (Some("bot-alias"), Some(bot_id), Some(alias_id), None)
                if !region.is_empty() && !bot_id.is_empty() && !alias_id.is_empty() =>
            {
                Some(Self {
                    region,
                    bot_id,
                    alias_id,
                })
            }
            _ => None,
        }
    }
}

/// A slot's value as the flow sees it: `interpretedValue` (a list slot's values
/// joined with commas).
fn slot_value(slot: &Slot) -> Option<String> {
    if let Some(v) = slot.value() {
        return Some(v.interpreted_value().to_owned());
    }
    let list: Vec<String> = slot.values().iter().filter_map(slot_value).collect();
    (!list.is_empty()).then(|| list.join(","))
}

fn slots(map: Option<&HashMap<String, Slot>>) -> IndexMap<String, String> {
    let mut out: Vec<(String, String)> = map
        .into_iter()
        .flatten()
        .filter_map(|(k, s)| Some((k.clone(), slot_value(s)?)))
        .collect();
    // The SDK's map has no order: sorted, so traces are stable.
    out.sort();
    out.into_iter().collect()
}

/// The flow's view of one RecognizeText response.
fn answer(
    state: Option<&SessionState>,
    interpretations: &[aws_sdk_lexruntimev2::types::Interpretation],
    messages: &[aws_sdk_lexruntimev2::types::Message],
) -> LexAnswer {
    let intent = state.and_then(SessionState::intent);
    let name = intent
        .map(|i| i.name().to_owned())
        .or_else(|| {
            interpretations
                .first()
                .and_then(|i| i.intent())
                .map(|i| i.name().to_owned())
        })
        .unwrap_or_else(|| "FallbackIntent".to_owned());
    let top = interpretations
        .iter()
        .find(|i| i.intent().is_some_and(|x| x.name() == name));
    let confidence = top
        .and_then(|i| i.nlu_confidence())
        .map_or(0.0, |c| c.score());
    let alternatives = interpretations
        .iter()
        .filter_map(|i| {
            let n = i.intent()?.name();
            (n != name).then(|| (n.to_owned(), i.nlu_confidence().map_or(0.0, |c| c.score())))
        })
        .take(4)
        .collect();
    let sentiment = top.and_then(|i| i.sentiment_response()).and_then(|s| {
        let label = s.sentiment()?.as_str().to_owned();
        let sc = s.sentiment_score();
        Some((
            label,
            [
                sc.map_or(0.0, |x| x.positive()),
                sc.map_or(0.0, |x| x.negative()),
                sc.map_or(0.0, |x| x.neutral()),
                sc.map_or(0.0, |x| x.mixed()),
            ],
        ))
    });
    let action = state.and_then(SessionState::dialog_action);
    let elicit = action
        .filter(|a| a.r#type().as_str() == "ElicitSlot")
        .and_then(|a| a.slot_to_elicit())
        .map(str::to_owned);
    let text: Vec<&str> = messages.iter().filter_map(|m| m.content()).collect();
    LexAnswer {
        recognition: Recognition {
            intent: name,
            confidence,
            slots: slots(intent.and_then(|i| i.slots())),
            alternatives,
        },
        elicit,
        message: (!text.is_empty()).then(|| text.join(" ")),
        intent_state: intent
            .and_then(|i| i.state())
            .map(|s| s.as_str().to_owned()),
        session_attributes: state
            .and_then(SessionState::session_attributes)
            .map(|m| {
                let mut v: Vec<(String, String)> =
                    m.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                v.sort();
                v.into_iter().collect()
            })
            .unwrap_or_default(),
        sentiment,
    }
}

#[cfg(test)]
mod tests {
    use super::AliasArn;

    #[test]
    fn alias_arns() {
        assert_eq!(
            AliasArn::parse("arn:aws:lex:us-east-1:528757806846:bot-alias/YPUBHWXZVM/TSTALIASID"),
            Some(AliasArn {
                region: "us-east-1",
                bot_id: "YPUBHWXZVM",
                alias_id: "TSTALIASID"
            })
        );
        assert_eq!(AliasArn::parse("CustomerAirlineSupport"), None);
        assert_eq!(
            AliasArn::parse("arn:aws:lambda:us-east-1:1:function:f"),
            None
        );
        assert_eq!(AliasArn::parse("arn:aws:lex:us-east-1:1:bot-alias/B"), None);
    }
}
