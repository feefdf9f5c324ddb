"""The multi-instance scenarios; each takes the two running replicas and a
check(condition, message) callback. Import after testlib.stubs()."""
import threading
import time
import uuid

import grpc
from google.protobuf import json_format
from scoliomassage.v1 import history_pb2, history_pb2_grpc, outcome_pb2, outcome_pb2_grpc

PROTOCOLS = ["thoracic-c-curve", "lumbar-s-curve", "cervical-c-curve", "thoracolumbar-c-curve"]


def outcome_dict(patient, rng=None, protocol="thoracic-c-curve", pain_before=6, pain_after=4, session=1):
    if rng is not None:
        protocol = rng.choice(PROTOCOLS)
        pain_before = rng.randint(3, 9)
        pain_after = rng.randint(0, pain_before)
        session = rng.randint(1, 6)
    return {
        "patientId": patient, "therapistId": "t-%d" % (session % 2), "protocolId": protocol,
        "sessionNumber": session, "minutes": 15, "painBefore": pain_before, "painAfter": pain_after,
        "performedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600 * session)),
    }


def log_request(outcome, request_id=None):
    return json_format.ParseDict({"requestId": request_id or str(uuid.uuid4()), "outcome": outcome},
                                 outcome_pb2.LogOutcomeRequest())


def list_names(address, patient):
    with grpc.insecure_channel(address) as channel:
        stub = outcome_pb2_grpc.OutcomeServiceStub(channel)
        names, token = [], ""
        while True:
            page = stub.ListOutcomes(outcome_pb2.ListOutcomesRequest(
                filter=outcome_pb2.HistoryFilter(patient_id=patient), page_size=100, page_token=token),
                timeout=30)
            names += [o.name for o in page.outcomes]
            token = page.next_page_token
            if not token:
                return names


def history(address, include_revisions):
    """Every record as (name, revision, pain_after), resuming page by page
    from the last token to exercise the resume path too."""
    records, token = [], ""
    with grpc.insecure_channel(address) as channel:
        stub = history_pb2_grpc.HistoryServiceStub(channel)
        while True:
            batch = []
            for record in stub.QueryHistory(history_pb2.QueryHistoryRequest(
                    resume_token=token, include_revisions=include_revisions), timeout=60):
                batch.append(record)
                if len(batch) == 25:
                    break  # cut the stream, resume from the last token
            records += [(r.outcome.name, r.outcome.revision, r.outcome.pain_after) for r in batch]
            if len(batch) < 25:
                return records
            token = batch[-1].resume_token


def summary(address):
    with grpc.insecure_channel(address) as channel:
        stub = history_pb2_grpc.HistoryServiceStub(channel)
        response = stub.SummarizeOutcomes(history_pb2.SummarizeOutcomesRequest(
            group_by=[history_pb2.GROUP_BY_PROTOCOL, history_pb2.GROUP_BY_SESSION_NUMBER]), timeout=30)
        return [(g.key, g.session_count, round(g.mean_pain_relief, 9), round(g.meaningful_relief_rate, 9))
                for g in response.groups]


def same_request_id_on_both_replicas(replicas, check):
    request = log_request(outcome_dict("patient-retry"))
    names, errors = [], []
    lock = threading.Lock()
    barrier = threading.Barrier(50)

    def send(index):
        replica = replicas[index % 2]
        with grpc.insecure_channel(replica.address) as channel:
            stub = outcome_pb2_grpc.OutcomeServiceStub(channel)
            barrier.wait()
            try:
                stored = stub.LogOutcome(request, timeout=30)
                with lock:
                    names.append(stored.name)
            except grpc.RpcError as error:
                with lock:
                    errors.append((error.code(), error.details()))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check(not errors, "50 concurrent retries over both replicas all succeed (errors: %s)" % errors[:3])
    check(len(set(names)) == 1, "every retry got the same outcome back (%d distinct)" % len(set(names)))
    for index, replica in enumerate(replicas):
        stored = list_names(replica.address, "patient-retry")
        check(len(stored) == 1, "replica %d lists exactly one stored outcome (got %d)" % (index, len(stored)))


def concurrent_amendments_on_both_replicas(replicas, check):
    with grpc.insecure_channel(replicas[0].address) as channel:
        first = outcome_pb2_grpc.OutcomeServiceStub(channel).LogOutcome(
            log_request(outcome_dict("patient-amend")), timeout=30)
    amendments = 12
    revisions, errors = [], []
    lock = threading.Lock()
    barrier = threading.Barrier(amendments)

    def amend(index):
        corrected = json_format.ParseDict(outcome_dict("patient-amend", pain_after=index % 5),
                                          outcome_pb2.Outcome())
        with grpc.insecure_channel(replicas[index % 2].address) as channel:
            stub = outcome_pb2_grpc.OutcomeServiceStub(channel)
            barrier.wait()
            try:
                stored = stub.AmendOutcome(outcome_pb2.AmendOutcomeRequest(
                    request_id=str(uuid.uuid4()), name=first.name, outcome=corrected,
                    reason="correction %d" % index), timeout=30)
                with lock:
                    revisions.append(stored.revision)
            except grpc.RpcError as error:
                with lock:
                    errors.append((error.code(), error.details()))

    threads = [threading.Thread(target=amend, args=(i,)) for i in range(amendments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check(not errors, "concurrent amendments through both replicas succeed (errors: %s)" % errors[:3])
    check(sorted(revisions) == list(range(2, amendments + 2)),
          "amendments got distinct, gap-free revisions 2..%d (got %s)" % (amendments + 1, sorted(revisions)))


def reads_agree_across_replicas(replicas, check, rng):
    logged = {}
    for index in range(60):
        outcome = outcome_dict("patient-%d" % (index % 7), rng)
        with grpc.insecure_channel(replicas[index % 2].address) as channel:
            stored = outcome_pb2_grpc.OutcomeServiceStub(channel).LogOutcome(log_request(outcome), timeout=30)
        logged[stored.name] = outcome
    for include_revisions in (False, True):
        views = [history(replica.address, include_revisions) for replica in replicas]
        check(views[0] == views[1], "history (include_revisions=%s) is the same through both replicas "
              "(%d vs %d records)" % (include_revisions, len(views[0]), len(views[1])))
    latest = {name: pain_after for name, _, pain_after in history(replicas[1].address, False)}
    check(all(name in latest and latest[name] == outcome["painAfter"] for name, outcome in logged.items()),
          "every outcome logged through either replica is in the history with its values")
    summaries = [summary(replica.address) for replica in replicas]
    check(summaries[0] == summaries[1] and len(summaries[0]) > 1,
          "summaries are the same through both replicas (%d groups)" % len(summaries[0]))
    total = sum(count for _, count, _, _ in summaries[0])
    check(total == len(latest), "summary session counts add up to the outcomes stored (%d vs %d)"
          % (total, len(latest)))


def kill_one_replica_under_load(replicas, check):
    victim, survivor = replicas
    acknowledged, errors = [], []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(replica):
        with grpc.insecure_channel(replica.address) as channel:
            stub = outcome_pb2_grpc.OutcomeServiceStub(channel)
            while not stop.is_set():
                try:
                    stored = stub.LogOutcome(log_request(outcome_dict("patient-kill")), timeout=10)
                    with lock:
                        acknowledged.append(stored.name)
                except grpc.RpcError as error:
                    with lock:
                        errors.append(error.code())
                    if replica is victim:
                        return

    threads = [threading.Thread(target=writer, args=(replica,)) for replica in (victim, survivor) * 4]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    victim.stop(sig=9)
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    check(len(acknowledged) > 20, "outcomes were acknowledged under load (%d)" % len(acknowledged))
    stored = set(list_names(survivor.address, "patient-kill"))
    missing = set(acknowledged) - stored
    check(not missing, "no acknowledged outcome is lost when a replica is SIGKILLed "
          "(acknowledged %d, stored %d, missing %d)" % (len(set(acknowledged)), len(stored), len(missing)))
    unexpected = [c for c in errors if c not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED)]
    check(not unexpected, "calls cut by the kill fail UNAVAILABLE or CANCELLED (got %s)" % unexpected[:3])


def str_uuid():
    return str(uuid.uuid4())
