#!/usr/bin/env python3
"""End to end, offline: the deployed system against a local AWS API, on 127.0.0.1 only.

Run by deploy/e2e.sh, which checks the tools first. Steps:

1. moto_server on 127.0.0.1; the template's queue, dead-letter queue and table are
   created there *from the template's own properties* (RedrivePolicy, key schema, …).
2. `cargo lambda watch` serves vanity-to-sqs and sqs-to-ddb through the Lambda runtime
   API (and the Invoke API flowsim's `aws` backend speaks).
3. The seed flow runs through flowsim (`--lambda generate-vanity-numbers=aws:vanity-to-sqs
   --aws-endpoint-url …`); the record it sent is on the queue.
4. sqs-to-ddb is invoked with the SQS events the queue delivered (deleting what it did not
   report failed, as the event source mapping does); the DynamoDB item is checked; the
   same message delivered twice is one item.
5. A poisoned message is reported failed on every receive and ends in the DLQ through the
   queue's own redrive; the good message of its batch is stored once.
6. Timing: vanity-to-sqs started under a minimal runtime API (this script): cold start
   (process start to first answer) and warm invocations, against the local server; and
   with SQS unreachable, the caller still gets their numbers.

Prints `e2e: ok` and the figures; exits non-zero on a failure.
"""
import http.server
import json
import os
import pathlib
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

import boto3
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "template.yaml"
REGION = "us-east-1"
CALLER = "+18003569377"  # 1-800-FLOWERS
TABLE = "flowsim-e2e-calls"
PROCS = []


def log(msg):
    print(f"e2e: {msg}", flush=True)


def fail(msg):
    print(f"e2e: FAILED: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, what, proc, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            fail(f"{what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    fail(f"{what} did not listen on 127.0.0.1:{port} in {timeout} s")


def start(args, env=None, logfile=None):
    out = open(logfile, "w") if logfile else subprocess.DEVNULL
    p = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                         start_new_session=True)
    PROCS.append(p)
    return p


def stop_all():
    for p in PROCS:
        if p.poll() is None:
            try:
                os.killpg(p.pid, 15)
            except ProcessLookupError:
                pass
    for p in PROCS:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)


# --- the template -----------------------------------------------------------------


def load_template():
    return yaml.safe_load(TEMPLATE.read_text())


def resolver(template, attrs):
    """Resolve Ref/GetAtt/Sub against parameter defaults and what was created."""
    params = {k: v.get("Default") for k, v in template.get("Parameters", {}).items()}

    def resolve(v):
        if isinstance(v, dict) and len(v) == 1:
            (k, a), = v.items()
            if k == "Ref":
                if a in attrs:
                    return attrs[a]["Ref"]
                if a in params and params[a] is not None:
                    return params[a]
                fail(f"template: cannot resolve Ref {a} locally")
            if k == "Fn::GetAtt":
                return attrs[a[0]][a[1]]
        if isinstance(v, dict):
            return {k: resolve(x) for k, x in v.items()}
        if isinstance(v, list):
            return [resolve(x) for x in v]
        return v

    return resolve


def create_resources(template, sqs, ddb):
    """The template's queues and table, from its own properties."""
    res = template["Resources"]
    attrs = {}
    resolve = resolver(template, attrs)
    queues = [n for n, r in res.items() if r["Type"] == "AWS::SQS::Queue"]
    # dead-letter queues (not referring to another queue) first
    queues.sort(key=lambda n: "RedrivePolicy" in res[n].get("Properties", {}))
    for name in queues:
        props = resolve(res[name].get("Properties", {}))
        qattrs = {}
        for k, v in props.items():
            if k == "QueueName" or k == "Tags":
                continue
            if isinstance(v, dict):
                v = json.dumps(v)
            elif isinstance(v, bool):
                v = "true" if v else "false"
            qattrs[k] = str(v)
        url = sqs.create_queue(QueueName=f"flowsim-e2e-{name}", Attributes=qattrs)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        attrs[name] = {"Ref": url, "Arn": arn, "QueueName": url.rsplit("/", 1)[1]}
        log(f"queue {name}: {qattrs}")
    tables = [n for n, r in res.items() if r["Type"] == "AWS::DynamoDB::Table"]
    check(len(tables) == 1, f"template: expected one table, found {tables}")
    props = res[tables[0]]["Properties"]
    ddb.create_table(TableName=TABLE, AttributeDefinitions=props["AttributeDefinitions"],
                     KeySchema=props["KeySchema"], BillingMode=props["BillingMode"])
    attrs[tables[0]] = {"Ref": TABLE}
    log(f"table {tables[0]}: key {props['KeySchema']}, {props['BillingMode']}")
    return attrs


def function_env(template, logical, attrs):
    props = template["Resources"][logical]["Properties"]
    return {k: resolver(template, attrs)(v) for k, v in props["Environment"]["Variables"].items()}


# --- SQS and the event source mapping ---------------------------------------------


def sqs_event(messages, queue_arn):
    return {"Records": [{
        "messageId": m["MessageId"],
        "receiptHandle": m["ReceiptHandle"],
        "body": m["Body"],
        "attributes": m.get("Attributes", {}),
        "messageAttributes": {},
        "md5OfBody": m["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    } for m in messages]}


def invoke(port, function, payload, timeout=60):
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/2015-03-31/functions/{function}/invocations",
        data=json.dumps(payload).encode(), method="POST",
        headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"null")


def deliver(sqs, port, queue, visibility=1):
    """One poll of the event source mapping: receive a batch, invoke sqs-to-ddb, delete
    what it did not report failed. Returns (messages, failed ids)."""
    got = sqs.receive_message(QueueUrl=queue["Ref"], MaxNumberOfMessages=10,
                              VisibilityTimeout=visibility, WaitTimeSeconds=1,
                              AttributeNames=["All"]).get("Messages", [])
    if not got:
        return [], set()
    answer = invoke(port, "sqs-to-ddb", sqs_event(got, queue["Arn"]))
    failed = {f["itemIdentifier"] for f in (answer or {}).get("batchItemFailures", [])}
    for m in got:
        if m["MessageId"] not in failed:
            sqs.delete_message(QueueUrl=queue["Ref"], ReceiptHandle=m["ReceiptHandle"])
    return got, failed


# --- timing under a minimal runtime API -------------------------------------------


class RuntimeApi:
    """Just enough of the Lambda runtime API to time one process."""

    def __init__(self, events):
        self.events = list(events)
        self.total = len(self.events)
        self.responses = []
        self.served = {}
        self.done = threading.Event()
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                if not self.path.endswith("/invocation/next"):
                    self.send_error(404)
                    return
                if not api.events:
                    # Nothing more to serve: hold the poll. `done` is set by the last
                    # answer, not here: the runtime may poll for the next event before the
                    # handler of its previous answer has recorded it.
                    time.sleep(3600)
                    return
                i = len(api.responses)
                body = json.dumps(api.events.pop(0)).encode()
                api.served[str(i)] = time.perf_counter()
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", str(i))
                self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 8000))
                self.send_header("Lambda-Runtime-Invoked-Function-Arn",
                                 "arn:aws:lambda:us-east-1:123456789012:function:vanity-to-sqs")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                now = time.perf_counter()
                n = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(n)
                rid = self.path.split("/invocation/")[1].split("/")[0] if "/invocation/" in self.path else "?"
                api.responses.append((rid, now, self.path.endswith("/error"), json.loads(body or b"null")))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()
                if len(api.responses) >= api.total or "/init/error" in self.path:
                    api.done.set()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def connect_event(target, caller=CALLER):
    return {"Name": "ContactFlowEvent", "Details": {
        "ContactData": {"Attributes": {"TargetNumber": target},
                        "CustomerEndpoint": {"Address": caller, "Type": "TELEPHONE_NUMBER"},
                        "ContactId": "e2e"},
        "Parameters": {}}}


def run_timed(binary, env, events):
    api = RuntimeApi(events)
    env = dict(env, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{api.port}",
               AWS_LAMBDA_FUNCTION_NAME="vanity-to-sqs", AWS_LAMBDA_FUNCTION_MEMORY_SIZE="128",
               AWS_LAMBDA_FUNCTION_VERSION="$LATEST")
    t0 = time.perf_counter()
    p = subprocess.Popen([str(binary)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True)
    PROCS.append(p)
    if not api.done.wait(60):
        fail("vanity-to-sqs did not answer under the runtime API harness")
    os.killpg(p.pid, 15)
    out = p.communicate(timeout=10)[0].decode()
    api.server.shutdown()
    logs = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return t0, api, logs


def timing(binary, env, queue):
    n = 50
    events = [connect_event(CALLER)] + [connect_event(f"+1303555{1000 + i:04d}") for i in range(n)]
    t0, api, logs = run_timed(binary, env, events)
    check(len(api.responses) == n + 1, f"{len(api.responses)} answers of {n + 1}")
    check(not any(err for _, _, err, _ in api.responses), "an invocation failed")
    cold_ms = (api.responses[0][1] - t0) * 1000
    warm = [(t - api.served[rid]) * 1000 for rid, t, _, _ in api.responses[1:]]
    answered = [e.get("fields", e) for e in logs if e.get("fields", {}).get("message") == "answered"]
    sends = [e.get("fields", e) for e in logs if e.get("fields", {}).get("message") == "call record sent"]
    check(len(sends) == n + 1, f"{len(sends)} records sent of {n + 1}")
    own = [(a["total_us"] - s["send_us"]) / 1000 for a, s in zip(answered[1:], sends[1:])]
    init = [e["fields"]["init_us"] / 1000 for e in logs if e.get("fields", {}).get("message") == "initialised"]
    # More cold starts (one answer each): the least is the least disturbed by other load.
    colds, inits = [cold_ms], [init[0]] if init else []
    for i in range(4):
        t0, api2, logs2 = run_timed(binary, env, [connect_event(f"+1720555{2000 + i:04d}")])
        colds.append((api2.responses[0][1] - t0) * 1000)
        inits += [e["fields"]["init_us"] / 1000 for e in logs2
                  if e.get("fields", {}).get("message") == "initialised"]
    figures = {
        "cold_start_ms": round(min(colds), 1),
        "cold_start_ms_median": round(statistics.median(colds), 1),
        "init_ms_median": round(statistics.median(inits), 1) if inits else None,
        "warm_invocation_ms_median": round(statistics.median(warm), 2),
        "warm_invocation_ms_p95": round(sorted(warm)[int(0.95 * len(warm))], 2),
        "warm_without_sqs_ms_median": round(statistics.median(own), 3),
        "sqs_send_ms_median": round(statistics.median(s["send_us"] / 1000 for s in sends[1:]), 2),
    }
    return figures


def sqs_down(binary, env):
    env = dict(env, AWS_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}")
    _, api, logs = run_timed(binary, env, [connect_event(CALLER)])
    _, _, err, answer = api.responses[0]
    check(not err and answer.get("ssmlError") == "false" and answer.get("vanity1"),
          f"with SQS down the caller got {answer}")
    check(any(e.get("fields", {}).get("message", "").startswith("call record not sent") for e in logs),
          "with SQS down, no error was logged")
    log(f"SQS down: the caller still hears {answer['vanity1']}; the failure is logged")


# --- the run ------------------------------------------------------------------------


def main():
    template = load_template()
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    profile = os.environ.get("E2E_PROFILE", "dev")
    outdir = target / ("debug" if profile == "dev" else profile)
    logs = target / "e2e"
    logs.mkdir(parents=True, exist_ok=True)

    t = time.time()
    subprocess.run(["cargo", "build", "--profile", profile, "-p", "vanity-to-sqs", "-p", "sqs-to-ddb"],
                   cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--bin", "flowsim", "--features", "aws-pipeline"], cwd=ROOT, check=True)
    log(f"built in {time.time() - t:.1f} s")

    moto_port = free_port()
    endpoint = f"http://127.0.0.1:{moto_port}"
    moto = start(["moto_server", "-H", "127.0.0.1", "-p", str(moto_port)], logfile=logs / "moto.log")
    wait_port(moto_port, "moto_server", moto)
    aws_env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                   AWS_SESSION_TOKEN="testing", AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION,
                   AWS_ENDPOINT_URL=endpoint, AWS_EC2_METADATA_DISABLED="true")
    aws_env.pop("AWS_PROFILE", None)
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name=REGION)
    sqs = session.client("sqs", endpoint_url=endpoint)
    ddb = session.client("dynamodb", endpoint_url=endpoint)
    attrs = create_resources(template, sqs, ddb)
    queue, dlq = attrs["VanityQueue"], attrs["VanityDeadLetterQueue"]
    redrive = json.loads(sqs.get_queue_attributes(QueueUrl=queue["Ref"], AttributeNames=["RedrivePolicy"])
                         ["Attributes"]["RedrivePolicy"])
    check(redrive["deadLetterTargetArn"] == dlq["Arn"], f"redrive policy {redrive}")
    max_receives = int(redrive["maxReceiveCount"])

    env = dict(aws_env)
    env.update(function_env(template, "VanityToSqsFunction", attrs))
    env.update(function_env(template, "SqsToDdbFunction", attrs))
    # One `cargo lambda watch` per function: the workspace's default members leave the
    # Lambdas out, so each is served from its own manifest.
    ports = {}
    for function in ("vanity-to-sqs", "sqs-to-ddb"):
        ports[function] = free_port()
        watch = start(["cargo", "lambda", "watch", "--ignore-changes", "--quiet",
                       "--manifest-path", f"lambdas/{function}/Cargo.toml",
                       "-A", "127.0.0.1", "-P", str(ports[function]), "--profile", profile,
                       "--env-var", f"SQS_QUEUE_URL_VANITY_URL={env['SQS_QUEUE_URL_VANITY_URL']}",
                       "--env-var", f"TABLE_NAME={env['TABLE_NAME']}"],
                      env=env, logfile=logs / f"watch-{function}.log")
        wait_port(ports[function], f"cargo lambda watch ({function})", watch)
    watch_port = ports["vanity-to-sqs"]
    ddb_port = ports["sqs-to-ddb"]

    # 3. the seed flow through flowsim against the runtime API
    seed = ROOT.parent / "shared" / "seed" / "Vanity_Numbers.json"
    if seed.is_file():
        flow, pattern, keys = seed, "generate-vanity-numbers", "1,1,9"
    else:
        log(f"{seed} is absent: running the project's flow instead")
        flow, pattern, keys = ROOT / "contactflow" / "Vanity_Numbers.json", "vanity-numbers", "1,1,9"
    flowsim = outdir.parent / "debug" / "flowsim"
    run = subprocess.run([str(flowsim), "run", str(flow), "--caller", CALLER, "--keys", keys,
                          "--hours", "open", "--lambda", f"{pattern}=aws:vanity-to-sqs",
                          "--aws-endpoint-url", f"http://127.0.0.1:{watch_port}",
                          "--aws-region", REGION],
                         env=aws_env, cwd=ROOT, capture_output=True, text=True, timeout=180)
    (logs / "flowsim.out").write_text(run.stdout + run.stderr)
    check(run.returncode == 0, f"flowsim run exited {run.returncode}:\n{run.stdout}\n{run.stderr}")
    check("first number is" in run.stdout.lower(), f"the caller did not hear the numbers:\n{run.stdout}")
    check("FLOWERS" in run.stdout, f"no FLOWERS for {CALLER}:\n{run.stdout}")
    log(f"seed flow ({flow.name}) ran through flowsim against vanity-to-sqs: the caller heard their numbers")

    # 4. the record on the queue → sqs-to-ddb → the table, once
    got, failed = deliver(sqs, ddb_port, queue, visibility=30)
    check(len(got) == 1 and not failed, f"expected the call's one message, got {got}, failed {failed}")
    body = json.loads(got[0]["Body"])
    check(set(body) == {"phoneNumber", "targetNumber", "timestamp", "vanityNumbers"}, f"message {body}")
    check(body["phoneNumber"] == CALLER and body["targetNumber"] == CALLER, f"message {body}")
    key = f"{CALLER}-{body['timestamp']}"
    item = ddb.get_item(TableName=TABLE, Key={"id": {"S": key}}).get("Item")
    check(item is not None, f"no item {key}")
    expect = {"id": {"S": key}, "callerNumber": {"S": CALLER}, "cellNumber": {"S": CALLER},
              "timestamp": {"S": body["timestamp"]},
              "vanityNumbers": {"M": {k: {"S": v} for k, v in body["vanityNumbers"].items()}}}
    check(item == expect, f"item {item} != {expect}")
    check("FLOWERS" in body["vanityNumbers"]["first"], f"first number {body['vanityNumbers']}")
    # the same message delivered again: still one item
    again = invoke(ddb_port, "sqs-to-ddb", sqs_event(got, queue["Arn"]))
    check(not again.get("batchItemFailures"), f"redelivery failed: {again}")
    count = ddb.scan(TableName=TABLE, Select="COUNT")["Count"]
    check(count == 1, f"{count} items after a redelivery")
    log(f"the call landed in the table once ({key}); delivered twice, still one item")

    # 5. a poisoned message: failed on every receive, moved by the queue's redrive
    poison = json.dumps({"phoneNumber": "+1303", "targetNumber": CALLER, "timestamp": "1",
                         "vanityNumbers": {"first": "x"}})
    good = dict(body, timestamp=str(int(body["timestamp"]) + 1))
    sqs.send_message(QueueUrl=queue["Ref"], MessageBody=poison)
    sqs.send_message(QueueUrl=queue["Ref"], MessageBody=json.dumps(good))
    receives = 0
    for _ in range(max_receives + 5):
        got, failed = deliver(sqs, ddb_port, queue)
        if not got:
            visible = sqs.get_queue_attributes(QueueUrl=queue["Ref"], AttributeNames=["All"])["Attributes"]
            if visible["ApproximateNumberOfMessages"] == "0" and visible["ApproximateNumberOfMessagesNotVisible"] == "0":
                break
            time.sleep(1.1)
            continue
        receives += sum(1 for m in got if m["Body"] == poison)
        check(all(m["Body"] == poison for m in got if m["MessageId"] in failed), "a good message failed")
        time.sleep(1.1)
    dead = sqs.receive_message(QueueUrl=dlq["Ref"], MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    check([m["Body"] for m in dead] == [poison], f"dead-letter queue holds {dead}")
    check(receives == max_receives, f"poison received {receives} times, maxReceiveCount {max_receives}")
    count = ddb.scan(TableName=TABLE, Select="COUNT")["Count"]
    check(count == 2, f"{count} items: the good message of the poisoned batch should be stored once")
    log(f"the poisoned message failed {receives} times and the queue's redrive moved it to the DLQ; "
        "the good one was stored once")

    # 5b. flowsim's own builtin:vanity on the real queue and table (feature aws-pipeline)
    caller = "+18004685865"  # 1-800-GOT-JUNK
    run = subprocess.run([str(flowsim), "run", "contactflow/Vanity_Numbers.json", "--caller", caller,
                          "--keys", "1,1,9", "--hours", "open"],
                         env=dict(aws_env, FLOWSIM_PIPELINE=f"sqs:{queue['Ref']}"), cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    check(run.returncode == 0 and "builtin:vanity → sqs:" in run.stdout,
          f"flowsim with FLOWSIM_PIPELINE exited {run.returncode}:\n{run.stdout}\n{run.stderr}")
    got, failed = deliver(sqs, ddb_port, queue)
    check(len(got) == 1 and not failed and json.loads(got[0]["Body"])["phoneNumber"] == caller,
          f"builtin:vanity's record on the queue: {got}")
    calls = subprocess.run([str(flowsim), "calls", "--table", TABLE, "--json"], env=aws_env, cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    check(calls.returncode == 0, f"flowsim calls --table: {calls.stderr}")
    rows = [json.loads(line) for line in calls.stdout.splitlines()]
    check(len(rows) == 3 and rows[0]["phoneNumber"] == caller and "JUNK" in rows[0]["vanityNumbers"]["first"],
          f"flowsim calls --table: {rows}")
    log("flowsim's builtin:vanity sent its record to the real queue (FLOWSIM_PIPELINE=sqs:…); "
        "`flowsim calls --table` reads it back from the table")

    # 6. timing and SQS down, under the minimal runtime API
    binary = outdir / "vanity-to-sqs"
    fn_env = dict(aws_env, SQS_QUEUE_URL_VANITY_URL=env["SQS_QUEUE_URL_VANITY_URL"])
    figures = timing(binary, fn_env, queue)
    sqs_down(binary, fn_env)
    log(f"figures ({profile} build, local server): {json.dumps(figures)}")
    (logs / "figures.json").write_text(json.dumps(figures, indent=2))
    check(figures["cold_start_ms"] < 50, f"cold start {figures['cold_start_ms']} ms at best of 5 (limit 50)")
    check(figures["warm_without_sqs_ms_median"] < 1, f"warm {figures['warm_without_sqs_ms_median']} ms without SQS")
    log("ok")


if __name__ == "__main__":
    try:
        main()
    finally:
        stop_all()
