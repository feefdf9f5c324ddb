#!/usr/bin/python3
"""Static checks of deploy/ (Docker and a cluster cannot run here):
- every YAML file parses, and kustomization.yaml lists every manifest;
- the Deployment has 2+ replicas and gRPC startup/readiness/liveness probes
  on the port scoliomassaged serves (a declared containerPort that matches
  SCOLIOMASSAGE_LISTEN), against the standard health service;
- the Deployment, Service and PodDisruptionBudget select the same pods;
- every Secret and ConfigMap the pods use exists with the keys used, and the
  database URL comes from a Secret;
- pods run as non-root without privilege escalation and with resources;
- the env example names every server flag's SCOLIOMASSAGE_* twin;
- the Dockerfile is multi-stage on debian:12 and runs as non-root;
- the systemd unit has the hardening settings, and `systemd-analyze verify`
  accepts it without a warning (with --systemd-verify, a test of its own:
  skipped, exit 77, when systemd-analyze is missing).
Usage: deploy_manifests_test.py PATH/TO/deploy [--systemd-verify]
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

failures = []
SKIP = 77  # CTest's SKIP_RETURN_CODE for this test


def check(condition, message):
    print(("ok: " if condition else "FAIL: ") + message)
    if not condition:
        failures.append(message)


def load_manifests(deploy):
    documents = []
    files = sorted(glob.glob(os.path.join(deploy, "**", "*.yaml"), recursive=True) +
                   glob.glob(os.path.join(deploy, "**", "*.yml"), recursive=True))
    check(files, "deploy/ has YAML files")
    for path in files:
        try:
            with open(path) as f:
                for document in yaml.safe_load_all(f):
                    if document is not None:
                        documents.append((path, document))
            check(True, "%s parses" % os.path.relpath(path, deploy))
        except yaml.YAMLError as error:
            check(False, "%s parses: %s" % (path, error))
    return files, documents


def of_kind(documents, kind):
    return [d for _, d in documents if isinstance(d, dict) and d.get("kind") == kind]


def selects(selector, labels):
    match = (selector or {}).get("matchLabels", selector or {})
    return bool(match) and all(labels.get(k) == v for k, v in match.items())


def port_of_listen(listen):
    return int(listen.rsplit(":", 1)[1]) if listen and ":" in listen else None


def check_kubernetes(deploy, files, documents):
    kustomizations = [d for _, d in documents if d.get("kind") == "Kustomization"]
    for kustomization in kustomizations:
        listed = set(kustomization.get("resources", []))
        folder = os.path.join(deploy, "kubernetes")
        manifests = {os.path.basename(f) for f in files
                     if os.path.dirname(f) == folder and os.path.basename(f) != "kustomization.yaml"}
        check(manifests <= listed, "kustomization.yaml lists every manifest (missing %s)"
              % sorted(manifests - listed))

    deployments = of_kind(documents, "Deployment")
    check(len(deployments) >= 1, "there is a Deployment")
    secrets = {s["metadata"]["name"]: s for s in of_kind(documents, "Secret")}
    config_maps = {c["metadata"]["name"]: c for c in of_kind(documents, "ConfigMap")}
    services = of_kind(documents, "Service")
    budgets = of_kind(documents, "PodDisruptionBudget")

    for deployment in deployments:
        name = deployment["metadata"]["name"]
        spec = deployment["spec"]
        pod = spec["template"]
        labels = pod["metadata"].get("labels", {})
        check(spec.get("replicas", 1) >= 2, "%s has 2+ replicas (%s)" % (name, spec.get("replicas", 1)))
        check(selects(spec.get("selector"), labels), "%s's selector matches its pod labels" % name)
        pod_security = pod["spec"].get("securityContext", {})
        check(pod_security.get("runAsNonRoot") is True, "%s pods run as non-root" % name)

        used_secrets = set()
        for volume in pod["spec"].get("volumes", []):
            if "secret" in volume:
                secret_name = volume["secret"]["secretName"]
                used_secrets.add(secret_name)
                for item in volume["secret"].get("items", []):
                    check(item["key"] in secrets.get(secret_name, {}).get("stringData", {}) or
                          item["key"] in secrets.get(secret_name, {}).get("data", {}),
                          "Secret %s has key %s mounted by %s" % (secret_name, item["key"], name))

        for container in pod["spec"]["containers"]:
            where = "%s/%s" % (name, container["name"])
            env = {}
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    ref = source["configMapRef"]["name"]
                    check(ref in config_maps, "%s uses ConfigMap %s, which exists" % (where, ref))
                    env.update(config_maps.get(ref, {}).get("data", {}))
                if "secretRef" in source:
                    used_secrets.add(source["secretRef"]["name"])
            database_from_secret = False
            for variable in container.get("env", []):
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    used_secrets.add(ref["name"])
                    secret = secrets.get(ref["name"], {})
                    check(ref["key"] in secret.get("stringData", {}) or ref["key"] in secret.get("data", {}),
                          "%s reads key %s of Secret %s, which exists" % (where, ref["key"], ref["name"]))
                    if variable["name"] == "SCOLIOMASSAGE_DATABASE":
                        database_from_secret = True
                elif "value" in variable:
                    env[variable["name"]] = variable["value"]
            check(database_from_secret, "%s takes SCOLIOMASSAGE_DATABASE from a Secret" % where)

            ports = {p["containerPort"] for p in container.get("ports", [])}
            port_names = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
            serving = port_of_listen(env.get("SCOLIOMASSAGE_LISTEN", "127.0.0.1:50051"))
            check(serving in ports, "%s declares the serving port %s (from SCOLIOMASSAGE_LISTEN)" % (where, serving))
            for probe_name in ("readinessProbe", "livenessProbe", "startupProbe"):
                probe = container.get(probe_name)
                if probe is None and probe_name == "startupProbe":
                    continue
                check(probe is not None and "grpc" in probe, "%s has a gRPC %s" % (where, probe_name))
                if probe and "grpc" in probe:
                    check(probe["grpc"].get("port") == serving,
                          "%s %s probes the serving port %s (got %s)"
                          % (where, probe_name, serving, probe["grpc"].get("port")))
                    # "" (or absent) asks grpc.health.v1.Health for the whole server.
                    check(probe["grpc"].get("service", "") in ("", "scoliomassage.v1.OutcomeService",
                                                               "scoliomassage.v1.ProtocolService",
                                                               "scoliomassage.v1.HistoryService"),
                          "%s %s asks the standard health service" % (where, probe_name))
            security = container.get("securityContext", {})
            check(security.get("allowPrivilegeEscalation") is False, "%s forbids privilege escalation" % where)
            check("ALL" in security.get("capabilities", {}).get("drop", []), "%s drops all capabilities" % where)
            resources = container.get("resources", {})
            check(resources.get("requests") and resources.get("limits"), "%s sets resource requests and limits" % where)

            for service in services:
                if selects(service["spec"].get("selector"), labels):
                    for port in service["spec"]["ports"]:
                        target = port.get("targetPort", port["port"])
                        target = port_names.get(target, target)
                        check(target == serving, "Service %s sends to the serving port (%s)"
                              % (service["metadata"]["name"], target))

        for secret_name in used_secrets:
            check(secret_name in secrets, "Secret %s used by %s is defined" % (secret_name, name))
        check(used_secrets, "%s references a Secret" % name)
        check(any(selects(s["spec"].get("selector"), labels) for s in services),
              "a Service selects %s's pods" % name)
        matching = [b for b in budgets if selects(b["spec"].get("selector"), labels)]
        check(matching, "a PodDisruptionBudget selects %s's pods" % name)
        for budget in matching:
            allowed = budget["spec"].get("maxUnavailable")
            minimum = budget["spec"].get("minAvailable")
            check(budget["metadata"].get("namespace") == deployment["metadata"].get("namespace"),
                  "the PodDisruptionBudget is in the Deployment's namespace")
            check((allowed is not None and isinstance(allowed, int) and allowed < spec["replicas"]) or
                  (minimum is not None and isinstance(minimum, int) and minimum < spec["replicas"]),
                  "the PodDisruptionBudget lets a drain proceed and keeps a replica serving")


def server_flags(root):
    with open(os.path.join(root, "service", "server", "main.cc")) as f:
        text = f.read()
    block = re.search(r"kFlagNames\[\]\s*=\s*\{(.*?)\};", text, re.S)
    return re.findall(r'"([a-z_]+)"', block.group(1)) if block else []


def check_env_example(deploy, root):
    with open(os.path.join(deploy, "scoliomassaged.env.example")) as f:
        names = set(re.findall(r"^(SCOLIOMASSAGE_[A-Z_]+)=", f.read(), re.M))
    flags = server_flags(root)
    check(flags, "server flags found in service/server/main.cc")
    missing = ["SCOLIOMASSAGE_" + flag.upper() for flag in flags if "SCOLIOMASSAGE_" + flag.upper() not in names]
    check(not missing, "the env example sets every flag's twin (missing %s)" % missing)


def check_dockerfile(deploy):
    with open(os.path.join(deploy, "Dockerfile")) as f:
        text = f.read()
    stages = re.findall(r"^FROM\s+(\S+)", text, re.M)
    check(len(stages) >= 2 and all(s.startswith("debian:12") for s in stages),
          "the Dockerfile is multi-stage on debian:12 (%s)" % stages)
    final_stage = text[text.rfind("\nFROM"):]
    users = re.findall(r"^USER\s+(\S+)", final_stage, re.M)
    check(users and users[-1].split(":")[0] not in ("0", "root"), "the image runs as non-root (%s)" % users)


def check_systemd(deploy):
    path = os.path.join(deploy, "systemd", "scoliomassaged.service")
    with open(path) as f:
        unit = f.read()
    required = ["ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "NoNewPrivileges=yes",
                "CapabilityBoundingSet=\n", "RestrictAddressFamilies=", "SystemCallFilter=@system-service",
                "StateDirectory=", "ExecReload=/bin/kill -HUP $MAINPID"]
    for setting in required:
        check(setting in unit, "the unit sets %s" % setting.strip())
    check("DynamicUser=yes" in unit or re.search(r"^User=(?!root)\S+", unit, re.M),
          "the unit runs as a dynamic or dedicated user")


def verify_systemd(deploy):
    """systemd-analyze verify accepts the unit; SKIP (77) without systemd-analyze."""
    path = os.path.join(deploy, "systemd", "scoliomassaged.service")
    with open(path) as f:
        unit = f.read()
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        print("SKIP: systemd-analyze not installed; unit not verified")
        return SKIP
    with tempfile.TemporaryDirectory() as folder:
        # verify insists the ExecStart binary exists; the unit names its
        # installed path, so check a copy pointing at a binary that is there.
        copy = os.path.join(folder, "scoliomassaged.service")
        with open(copy, "w") as f:
            f.write(unit.replace("/usr/local/bin/scoliomassaged", "/bin/true"))
        result = subprocess.run([analyze, "verify", copy], capture_output=True, text=True, timeout=60)
        # verify exits 0 even for unknown keys or bad values; it only warns.
        complaints = [line for line in (result.stdout + result.stderr).splitlines() if copy in line]
        check(result.returncode == 0 and not complaints,
              "systemd-analyze verify accepts the unit (%s)" % complaints)


def main():
    deploy = os.path.abspath(sys.argv[1])
    root = os.path.dirname(deploy)
    if sys.argv[2:] == ["--systemd-verify"]:
        if verify_systemd(deploy) == SKIP:
            return SKIP
        print("deploy_manifests_test --systemd-verify: %s" % ("ok" if not failures else "%d failure(s)" % len(failures)))
        return 1 if failures else 0
    files, documents = load_manifests(deploy)
    check_kubernetes(deploy, files, documents)
    check_env_example(deploy, root)
    check_dockerfile(deploy)
    check_systemd(deploy)
    print("deploy_manifests_test: %s" % ("ok" if not failures else "%d failure(s)" % len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
