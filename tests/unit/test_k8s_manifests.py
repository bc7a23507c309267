"""Offline checks of the Kubernetes manifests in deploy/k8s.

Every document is validated against the Kubernetes OpenAPI schemas bundled with
`kubernetes_validate` (strict: unknown fields are errors), then against the rules of this project:
probes and resources on every Deployment, every file in the kustomization, and the gateway as the
only component reachable from outside the namespace.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

K8S_DIR = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
KUBERNETES_VERSION = "1.31"
NAMESPACE = "crm"
IMAGE = "ghcr.io/example/crm:0.1.0"
PUBLIC = "gateway"

Doc = dict[str, Any]


def _load() -> list[tuple[str, Doc]]:
    docs: list[tuple[str, Doc]] = []
    for path in sorted(K8S_DIR.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        with path.open() as f:
            docs.extend((path.name, doc) for doc in yaml.safe_load_all(f) if doc)
    return docs


DOCS = _load()


def _id(entry: tuple[str, Doc]) -> str:
    name, doc = entry
    return f"{name}:{doc['kind']}/{doc['metadata']['name']}"


def _of_kind(kind: str) -> list[tuple[str, Doc]]:
    return [entry for entry in DOCS if entry[1]["kind"] == kind]


def _params(kind: str | None = None) -> pytest.MarkDecorator:
    entries = DOCS if kind is None else _of_kind(kind)
    return pytest.mark.parametrize("entry", entries, ids=[_id(e) for e in entries])


def _named(kind: str, name: str) -> Doc:
    for _, doc in _of_kind(kind):
        if doc["metadata"]["name"] == name:
            return doc
    raise AssertionError(f"no {kind} named {name}")


def _containers(workload: Doc) -> list[Doc]:
    containers: list[Doc] = workload["spec"]["template"]["spec"]["containers"]
    return containers


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The schemas ship with the package: any attempt to fetch one is a failure."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the manifest tests must not use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


def test_manifests_found() -> None:
    assert len(DOCS) > 10, f"too few documents in {K8S_DIR}"


@_params()
def test_validates_against_kubernetes_schema(entry: tuple[str, Doc]) -> None:
    _, doc = entry
    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as e:
        path = ".".join(str(p) for p in e.path)
        pytest.fail(f"{_id(entry)} at {path or '<root>'}: {e.message}")


@_params()
def test_in_the_crm_namespace(entry: tuple[str, Doc]) -> None:
    _, doc = entry
    if doc["kind"] == "Namespace":
        assert doc["metadata"]["name"] == NAMESPACE
    else:
        assert doc["metadata"].get("namespace") == NAMESPACE


def test_kustomization_lists_every_file() -> None:
    kustomization = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text())
    assert kustomization["kind"] == "Kustomization"
    assert kustomization["namespace"] == NAMESPACE
    listed = kustomization["resources"]
    assert len(listed) == len(set(listed)), "a file is listed twice"
    on_disk = {p.name for p in K8S_DIR.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(listed) == on_disk
    assert not list(K8S_DIR.glob("*.yml")), "use the .yaml extension"


@_params("Deployment")
def test_deployment_probes_and_resources(entry: tuple[str, Doc]) -> None:
    _, doc = entry
    for container in _containers(doc):
        for probe in ("readinessProbe", "livenessProbe"):
            assert probe in container, f"{container['name']}: no {probe}"
            get = container[probe].get("httpGet", {})
            assert get.get("path") == "/health", f"{container['name']}: {probe} not on /health"
        resources = container.get("resources", {})
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(resources.get(bound, {})), (
                f"{container['name']}: resources.{bound} needs cpu and memory"
            )


@_params("Deployment")
def test_deployment_runs_the_service(entry: tuple[str, Doc]) -> None:
    _, doc = entry
    name = doc["metadata"]["name"]
    pod = doc["spec"]["template"]
    annotations = pod["metadata"].get("annotations", {})
    assert annotations.get("prometheus.io/scrape") == "true"
    assert annotations.get("prometheus.io/path") == "/metrics"
    assert annotations.get("prometheus.io/port") == "8080"
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    (container,) = _containers(doc)
    assert container["image"] == IMAGE
    assert container["command"] == ["python", "-m", f"crm_{name}"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert {"name": "http", "containerPort": 8080} in container["ports"]
    sources = {next(iter(s.values()))["name"] for s in container["envFrom"]}
    assert sources == {"crm-config", "crm-secrets"}
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["CRM_HOST"] == "0.0.0.0"
    port_variable = "CRM_GATEWAY_PORT" if name == PUBLIC else "CRM_PORT"
    assert env[port_variable] == "8080"


@_params("StatefulSet")
def test_statefulset_probes_and_resources(entry: tuple[str, Doc]) -> None:
    _, doc = entry
    assert doc["spec"]["volumeClaimTemplates"], "state needs a persistent volume"
    for container in _containers(doc):
        assert "readinessProbe" in container and "livenessProbe" in container
        assert {"requests", "limits"} <= set(container["resources"])
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert doc["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True


@_params("Service")
def test_service_selects_a_workload(entry: tuple[str, Doc]) -> None:
    _, doc = entry
    selector = doc["spec"]["selector"]
    workloads = _of_kind("Deployment") + _of_kind("StatefulSet")
    matching = [
        w
        for _, w in workloads
        if selector.items() <= w["spec"]["template"]["metadata"]["labels"].items()
    ]
    assert matching, f"Service {doc['metadata']['name']} selects no pods"
    port_names = {p["name"] for w in matching for c in _containers(w) for p in c.get("ports", [])}
    for port in doc["spec"]["ports"]:
        assert port["targetPort"] in port_names


def test_only_the_gateway_is_exposed() -> None:
    exposed = {
        doc["metadata"]["name"]
        for _, doc in _of_kind("Service")
        if doc["spec"].get("type", "ClusterIP") in {"LoadBalancer", "NodePort"}
        or doc["spec"].get("externalIPs")
    }
    assert exposed <= {PUBLIC}
    backends = {
        path["backend"]["service"]["name"]
        for _, ingress in _of_kind("Ingress")
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert backends == {PUBLIC}
    ingress = _named("Ingress", PUBLIC)
    assert ingress["spec"]["rules"][0]["host"] == "crm.example.com"
    assert ingress["spec"]["tls"] == [{"hosts": ["crm.example.com"], "secretName": "crm-tls"}]


def _admits_outside(rule: Doc) -> bool:
    """True if an ingress rule admits traffic from outside the namespace."""
    sources = rule.get("from")
    if not sources:
        return True  # no `from`: every source
    return any("namespaceSelector" in s or "ipBlock" in s for s in sources)


def test_network_policies_admit_outsiders_to_the_gateway_only() -> None:
    policies = [doc for _, doc in _of_kind("NetworkPolicy")]
    deny_all = [
        p
        for p in policies
        if p["spec"]["podSelector"] == {}
        and "Ingress" in p["spec"]["policyTypes"]
        and not p["spec"].get("ingress")
    ]
    assert deny_all, "a default-deny ingress policy for the whole namespace is missing"
    opened = []
    for policy in policies:
        if any(_admits_outside(rule) for rule in policy["spec"].get("ingress", [])):
            labels = policy["spec"]["podSelector"].get("matchLabels", {})
            assert labels == {"app.kubernetes.io/name": PUBLIC}, policy["metadata"]["name"]
            opened.append(policy["metadata"]["name"])
    assert opened, "nothing admits the Ingress controller to the gateway"


def test_config_and_secrets() -> None:
    config = _named("ConfigMap", "crm-config")["data"]
    assert config["CRM_KAFKA_PARTITIONS"] == "6"
    assert config["CRM_OPPORTUNITIES_URL"] == "http://opportunities:8080"
    assert config["CRM_CURRENCY"] == "CNY"
    assert config["CRM_LOG_LEVEL"] == "INFO"
    kafka = _named("StatefulSet", "kafka")
    brokers = [f"kafka-{i}.kafka-headless:9092" for i in range(kafka["spec"]["replicas"])]
    assert config["CRM_KAFKA_BOOTSTRAP"].split(",") == brokers
    secrets = _named("Secret", "crm-secrets")["stringData"]
    assert set(secrets) == {"CRM_DATABASE_URL", "CRM_JWT_SECRET", "CRM_INTERNAL_KEY"}
    assert all("change-me" in value for value in secrets.values()), "placeholders must say so"


def test_projections_scale_up_to_the_partition_count() -> None:
    partitions = int(_named("ConfigMap", "crm-config")["data"]["CRM_KAFKA_PARTITIONS"])
    assert _named("HorizontalPodAutoscaler", "projections")["spec"]["maxReplicas"] == partitions
    gateway = _named("HorizontalPodAutoscaler", PUBLIC)["spec"]
    assert (gateway["minReplicas"], gateway["maxReplicas"]) == (2, 10)


@_params("HorizontalPodAutoscaler")
def test_autoscaled_deployments_leave_replicas_to_the_hpa(entry: tuple[str, Doc]) -> None:
    _, hpa = entry
    target = hpa["spec"]["scaleTargetRef"]
    assert target["kind"] == "Deployment"
    deployment = _named("Deployment", target["name"])
    assert "replicas" not in deployment["spec"], "a fixed replica count fights the HPA"


def test_kafka_runs_kraft_with_three_nodes() -> None:
    kafka = _named("StatefulSet", "kafka")
    assert kafka["spec"]["replicas"] == 3
    assert kafka["spec"]["serviceName"] == "kafka-headless"
    assert _named("Service", "kafka-headless")["spec"]["clusterIP"] == "None"
    (container,) = _containers(kafka)
    assert container["image"] == "apache/kafka:3.9.0"
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert len(env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",")) == 3
    (postgres,) = _containers(_named("StatefulSet", "postgres"))
    assert postgres["image"] == "postgres:17"
