#!/bin/sh
# Regenerate the recorded calls of contactflow/Vanity_Numbers.json.
# Run from the repository root: sh recordings/record.sh (needs a built flowsim).
# Each call is made with `flowsim run --record`; the Lambda answers given here are
# captured in the recordings, so they replay offline.
set -e
FLOWSIM=${FLOWSIM:-target/debug/flowsim}
FLOW=contactflow/Vanity_Numbers.json
OK='vanity-numbers=json:{"ssmlResponse":"<speak>Your best vanity number is <say-as interpret-as=\"characters\">303-555-CALL</say-as>. The others are <say-as interpret-as=\"characters\">303-555-BALL</say-as> and <say-as interpret-as=\"characters\">303-555-FALL</say-as>.</speak>","ssmlError":"false","vanity1":"303-555-CALL","vanity2":"303-555-BALL","vanity3":"303-555-FALL","vanity4":"303-555-2255","vanity5":"303-555-2256"}'
KEYED='vanity-numbers=json:{"ssmlResponse":"<speak>Your best vanity number is <say-as interpret-as=\"characters\">720-FLOWERS</say-as>.</speak>","ssmlError":"false","vanity1":"720-FLOWERS","vanity2":"720-3569377","vanity3":"720-3569377","vanity4":"720-3569377","vanity5":"720-3569377"}'
BAD='vanity-numbers=json:{"ssmlResponse":"<speak>Sorry, that number has no letters on the keypad, so there are no words to find.</speak>","ssmlError":"true"}'
ODD='vanity-numbers=json:{"ssmlResponse":"<speak>Hmm.</speak>","ssmlError":"maybe"}'
CALLER=+13035552255

rec() { name=$1; shift; "$FLOWSIM" run "$FLOW" --caller "$CALLER" --record "recordings/$name.call" --force "$@" >/dev/null; }

rec own_number            --keys 1,1,9          --lambda "$OK"
rec keyed_number          --keys 1,2,7203569377#,9 --lambda "$KEYED"
rec invalid_number        --keys 1,2,123#,555#,12# --lambda "$OK"
rec entry_timeout         --keys 1,2,~,3035550000# --lambda "$OK"
rec invalid_keys          --keys 5,1,7,1,1,4,9  --lambda "$OK"
rec silence                                     --lambda "$OK"
rec silence_at_choice     --keys 1,~,~,~        --lambda "$OK"
rec repeat                --keys 1,1,1,1,1      --lambda "$OK"
rec repeat_then_another   --keys 1,1,2,7203569377#,~ --lambda "$OK"
rec repeat_invalid_keys   --keys 1,1,0,0,0      --lambda "$OK"
rec decline_recording     --keys 9              --lambda "$OK"
rec hours_closed          --hours closed        --lambda "$OK"
rec lambda_error          --keys 1,1            --lambda 'vanity-numbers=error'
rec lambda_timeout        --keys 1,1            --lambda 'vanity-numbers=timeout'
rec lambda_says_invalid   --keys 1,1,1,7203569377#,9 --lambda "$BAD"
rec lambda_invalid_then_quit --keys 1,1,9       --lambda "$BAD"
rec lambda_invalid_silence --keys 1,1,~         --lambda "$BAD"
rec lambda_invalid_other_key --keys 1,1,5       --lambda "$BAD"
rec lambda_odd_answer     --keys 1,1            --lambda "$ODD"
rec hangup_midway         --keys 1              --lambda "$OK"
rec lambda_bad_ssml       --keys 1,1            --lambda 'vanity-numbers=json:{"ssmlResponse":"<speak>Your number is <say-as>303","ssmlError":"false"}'
rec lambda_bad_ssml_error --keys 1,1            --lambda 'vanity-numbers=json:{"ssmlResponse":"<speak>Sorry <break","ssmlError":"true"}'
# A contact that arrives with (nearly) 32 KB of attributes: Connect's limit leaves
# no room for the next UpdateContactAttributes, which takes NoMatchingError.
FULL=$(python3 -c "print('x' * 32740)")
ALMOST=$(python3 -c "print('x' * 32739)")
rec attributes_full_own_number --attribute "Notes=$FULL" --keys 1,1 --lambda "$OK"
rec attributes_full_keyed_number --attribute "Notes=$FULL" --keys 1,2,7203569377# --lambda "$KEYED"
rec attributes_full_after_lambda --attribute "Notes=$ALMOST" --keys 1,1 --lambda "$OK"
