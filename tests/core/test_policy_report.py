"""Reading policies from IAM (the local AWS) and the MFA matrix built from them."""

from __future__ import annotations

import json

import pytest
from localaws_fixtures import admin_client, admin_keys

from mfa_tui.core.aws import clients as aws
from mfa_tui.core.policy.evaluator import Result
from mfa_tui.core.policy.fetch import Principal, PolicyDoc, fetch_role, fetch_user
from mfa_tui.core.policy.matrix import SEED_ACTIONS, matrix_actions, request_contexts
from mfa_tui.core.policy.report import analyse

ACCOUNT = "111111111111"


def iam_client(world, **kw):
    """IAM read by the harness's admin: these tests are about reading and analysing, not about who may read
    (alice's long-term keys may not under her force-MFA policy; test_policy_profile covers that)."""
    key, secret = admin_keys()
    return aws.client("iam", access_key_id=key, secret_access_key=secret, endpoint_url=world.endpoint, **kw)


def put_json(fn, **kw):
    doc = kw.pop("doc")
    return fn(PolicyDocument=json.dumps(doc), **kw)


BOOL_ONLY = {
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "DenyEC2WithoutMFA", "Effect": "Deny", "Action": "ec2:*", "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
    }],
}
S3_READ = {"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": ["s3:Get*", "s3:ListAllMyBuckets"], "Resource": "*"}]}


@pytest.fixture
def alice_with_group(demo_world):
    """The demo's alice (ForceMFA, SelfManageMFA, admin attached) plus an inline policy and a group."""
    iam = admin_client(demo_world.aws, "iam")
    put_json(iam.put_user_policy, UserName="alice", PolicyName="Ec2Guard", doc=BOOL_ONLY)
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    put_json(iam.put_group_policy, GroupName="devs", PolicyName="Read", doc=S3_READ)
    arn = put_json(iam.create_policy, PolicyName="GroupManaged", doc=S3_READ)["Policy"]["Arn"]
    iam.attach_group_policy(GroupName="devs", PolicyArn=arn)
    return demo_world


def test_fetch_user_reads_own_group_and_managed_policies(alice_with_group):
    p = fetch_user(iam_client(alice_with_group), "alice")
    assert (p.kind, p.name, p.arn, p.account_id) == ("user", "alice", f"arn:aws:iam::{ACCOUNT}:user/alice", ACCOUNT)
    assert p.id and p.unreadable == [] and p.groups == ["devs"]
    kinds = {(d.label, d.kind, d.attached_to) for d in p.policies}
    assert kinds == {
        ("Ec2Guard", "inline", "user alice"),
        ("ForceMFA", "managed", "user alice"),
        ("SelfManageMFA", "managed", "user alice"),
        ("DemoAdministratorAccess", "managed", "user alice"),
        ("devs/Read", "inline", "group devs"),
        ("GroupManaged", "managed", "group devs"),
    }
    by_label = {d.label: d for d in p.policies}
    force = by_label["ForceMFA"]
    assert force.arn == f"arn:aws:iam::{ACCOUNT}:policy/ForceMFA" and force.version_id == "v1"
    assert force.mfa_statements == (0,) and force.document["Statement"][0]["Sid"] == "DenyAllExceptListedIfNoMFA"
    assert by_label["Ec2Guard"].mfa_statements == (0,) and by_label["devs/Read"].mfa_statements == ()
    assert p.boundary is None and p.boundary_arn is None


def test_matrix_for_a_force_mfa_user(alice_with_group, frozen_clock):
    p = fetch_user(iam_client(alice_with_group), "alice")
    report = analyse(p, actions=["dynamodb:Scan"], mfa_age=600, clock=frozen_clock)
    rows = {r.action: r for r in report.rows}
    # Requested first, then the seed examples, then what the policies name.
    assert report.rows[0].action == "dynamodb:Scan" and report.rows[0].origin == "requested"
    assert [r.action for r in report.rows[1:10]] == list(SEED_ACTIONS)
    assert {"iam:ResyncMFADevice", "iam:GetUser", "iam:ListVirtualMFADevices"} <= {
        r.action for r in report.rows if r.origin == "policy"
    }
    s3 = rows["s3:ListAllMyBuckets"]
    assert (s3.long_term.result, s3.no_mfa.result, s3.mfa.result) == ("explicit_deny", "explicit_deny", "allowed")
    assert s3.needs_mfa and s3.long_term.deciding == ("ForceMFA#DenyAllExceptListedIfNoMFA",)
    assert set(s3.mfa.deciding) == {"DemoAdministratorAccess#0", "devs/Read#Read", "GroupManaged#Read"}
    # MFA set-up actions work without MFA, on the user's own user / device.
    enable = rows["iam:EnableMFADevice"]
    assert enable.resource == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert all(c.allowed for c in enable.cells.values()) and not enable.needs_mfa
    assert rows["iam:CreateVirtualMFADevice"].resource == f"arn:aws:iam::{ACCOUNT}:mfa/alice"
    assert all(c.allowed for c in rows["sts:GetSessionToken"].cells.values())
    # ec2: the inline Bool (not BoolIfExists) deny lets long-term keys through where ForceMFA does not.
    ec2 = rows["ec2:DescribeInstances"]
    assert set(ec2.no_mfa.deciding) == {"ForceMFA#DenyAllExceptListedIfNoMFA", "Ec2Guard#DenyEC2WithoutMFA"}
    assert ec2.needs_mfa and not ec2.long_term_bypass
    # The local AWS (moto) does not implement SimulatePrincipalPolicy: said, not fatal.
    assert report.simulation == "AWS simulation not attempted"
    assert all(c.aws is None for r in report.rows for c in r.cells.values())


def test_long_term_bypass_is_flagged(demo_world, frozen_clock):
    iam = admin_client(demo_world.aws, "iam")
    iam.create_user(UserName="dave")
    put_json(iam.put_user_policy, UserName="dave", PolicyName="Ec2Guard", doc=BOOL_ONLY)
    put_json(iam.put_user_policy, UserName="dave", PolicyName="All", doc={"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}})
    report = analyse(fetch_user(iam_client(demo_world), "dave"), clock=frozen_clock)
    ec2 = next(r for r in report.rows if r.action == "ec2:DescribeInstances")
    assert ec2.long_term_bypass and not ec2.needs_mfa
    assert [c.result for c in ec2.cells.values()] == ["allowed", "explicit_deny", "allowed"]


def test_simulation_unavailable_on_moto_keeps_the_local_answer(demo_world, frozen_clock):
    p = fetch_user(iam_client(demo_world), "alice")
    report = analyse(p, clock=frozen_clock, simulator=iam_client(demo_world, max_attempts=1))
    assert report.simulation.startswith("AWS simulation unavailable: ")
    assert not report.simulated
    assert all(c.aws is None for r in report.rows for c in r.cells.values())
    assert next(r for r in report.rows if r.action == "s3:DeleteBucket").needs_mfa


def test_role_with_boundary_and_unreadable_parts(demo_world, frozen_clock):
    iam = admin_client(demo_world.aws, "iam")
    boundary = put_json(iam.create_policy, PolicyName="S3Boundary", doc=S3_READ)["Policy"]["Arn"]
    iam.create_role(RoleName="Worker", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
                    PermissionsBoundary=boundary)
    put_json(iam.put_role_policy, RoleName="Worker", PolicyName="Admin", doc={"Version": "2012-10-17", "Statement": [{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}]})
    # A managed policy that was deleted after being attached elsewhere cannot be read: recorded, not fatal.
    iam.create_role(RoleName="Broken", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
                    PermissionsBoundary=f"arn:aws:iam::{ACCOUNT}:policy/Gone")

    worker = fetch_role(iam_client(demo_world), "Worker")
    assert worker.unreadable == [] and worker.boundary_arn == boundary
    assert worker.boundary is not None and worker.boundary.kind == "boundary" and worker.boundary.label == "boundary S3Boundary"
    report = analyse(worker, clock=frozen_clock)
    rows = {r.action: r for r in report.rows}
    assert rows["s3:ListAllMyBuckets"].mfa.result is Result.ALLOWED
    assert set(rows["s3:ListAllMyBuckets"].mfa.deciding) == {"Admin#All", "boundary S3Boundary#Read (boundary)"}
    assert rows["ec2:DescribeInstances"].mfa.result is Result.IMPLICIT_DENY
    assert "not by the permissions boundary" in rows["ec2:DescribeInstances"].mfa.reason
    # A role has no aws:username: the self-manage statements would not apply (no noise here though).
    assert request_contexts(worker, mfa_age=1, now=frozen_clock.now())["mfa"]["aws:PrincipalType"] == "AssumedRole"

    broken = fetch_role(iam_client(demo_world), "Broken")
    assert broken.boundary is None and broken.boundary_arn == f"arn:aws:iam::{ACCOUNT}:policy/Gone"
    assert len(broken.unreadable) == 1
    assert broken.unreadable[0].startswith(f"could not read managed policy arn:aws:iam::{ACCOUNT}:policy/Gone: NoSuchEntity")

    missing = fetch_role(iam_client(demo_world), "Nobody")
    assert missing.arn is None and missing.policies == []
    assert missing.unreadable[0].startswith("could not read role Nobody: NoSuchEntity")
    assert any("ListRolePolicies" in u or "inline policies of role Nobody" in u for u in missing.unreadable)


@pytest.fixture
def moto_auth():
    """Make moto enforce IAM policies on long-term keys for one test (moto's own switch)."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    before = (settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count)
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0
    try:
        yield
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = before


def _carol(world, *policy_arns):
    """User carol who may list her policies and read managed ones, but not the text of inline ones."""
    iam = admin_client(world.aws, "iam")
    iam.create_user(UserName="carol")
    key = iam.create_access_key(UserName="carol")["AccessKey"]
    put_json(iam.put_user_policy, UserName="carol", PolicyName="ListOnly", doc={
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
            "iam:GetUser", "iam:ListUserPolicies", "iam:ListAttachedUserPolicies", "iam:ListGroupsForUser",
            "iam:GetPolicy", "iam:GetPolicyVersion",
        ]}],
    })
    for arn in policy_arns:
        iam.attach_user_policy(UserName="carol", PolicyArn=arn)
    return aws.client("iam", access_key_id=key["AccessKeyId"], secret_access_key=key["SecretAccessKey"],
                      endpoint_url=world.endpoint)


def test_access_denied_reads_are_listed_and_never_fatal(demo_world, request):
    s3 = put_json(admin_client(demo_world.aws, "iam").create_policy, PolicyName="S3Read", doc=S3_READ)["Policy"]["Arn"]
    carol = _carol(demo_world, s3)
    request.getfixturevalue("moto_auth")
    p = fetch_user(carol, "carol")
    assert [d.label for d in p.policies] == ["S3Read"]
    assert p.arn == f"arn:aws:iam::{ACCOUNT}:user/carol"
    assert len(p.unreadable) == 1, p.unreadable
    assert p.unreadable[0].startswith("could not read inline policy ListOnly of user carol: AccessDenied")
    assert "iam:GetUserPolicy" in p.unreadable[0]


def test_force_mfa_hides_policies_from_long_term_keys(demo_world, request):
    # The realistic case the report warns about: ForceMFA leaves long-term keys only GetUser.
    carol = _carol(demo_world, f"arn:aws:iam::{ACCOUNT}:policy/ForceMFA")
    request.getfixturevalue("moto_auth")
    p = fetch_user(carol, "carol")
    assert p.policies == [] and p.arn == f"arn:aws:iam::{ACCOUNT}:user/carol"
    assert [u.split(":")[0] for u in p.unreadable] == [
        "could not read inline policies of user carol",
        "could not read managed policies attached to user carol",
        "could not read groups of user carol",
    ]
    assert all("AccessDenied" in u for u in p.unreadable)


def test_rejected_credentials_raise_one_line(demo_world):
    from mfa_tui.core.errors import AwsError

    bad = aws.client("iam", access_key_id="AKIAUNKNOWN000000000", secret_access_key="x",
                     endpoint_url=demo_world.endpoint, max_attempts=1)
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    before = (settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count)
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    try:
        with pytest.raises(AwsError) as err:
            fetch_user(bad, "alice")
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = before
    assert "\n" not in str(err.value) and "reading user alice" in str(err.value)


def test_unreachable_endpoint_raises(frozen_clock):
    from mfa_tui.core.errors import EndpointError

    dead = aws.client("iam", access_key_id="AKIAEXAMPLE000000000", secret_access_key="x",
                      endpoint_url="http://127.0.0.1:9", max_attempts=1)
    with pytest.raises(EndpointError, match="cannot reach"):
        fetch_user(dead, "alice")


# ── AWS's answer beside the local one (botocore's Stubber plays SimulatePrincipalPolicy,
# which the local AWS does not implement) ─────────────────────────────────────────


def _role(policies) -> Principal:
    docs = [PolicyDoc(name, "inline", "role R", doc, label=name) for name, doc in policies]
    return Principal("role", "R", arn=f"arn:aws:iam::{ACCOUNT}:role/R", id="AROAEXAMPLE", account_id=ACCOUNT, policies=docs)


def test_simulation_answers_sit_beside_local_ones_and_disagreements_are_marked(frozen_clock):
    from botocore.stub import ANY, Stubber

    principal = _role([("S3Read", S3_READ)])
    actions = [a for a, _ in matrix_actions(principal)]
    client = aws.client("iam", access_key_id="AKIAEXAMPLE000000000", secret_access_key="x",
                        endpoint_url="http://127.0.0.1:9")
    stub = Stubber(client)
    for context in ("long_term", "no_mfa", "mfa"):
        results = []
        for action in actions:
            local = "allowed" if action.startswith("s3:Get") or action == "s3:ListAllMyBuckets" else "implicitDeny"
            # AWS "disagrees" on one action in the MFA column.
            if context == "mfa" and action == "lambda:ListFunctions":
                local = "allowed"
            results.append({"EvalActionName": action, "EvalResourceName": "*", "EvalDecision": local})
        expected = {"PolicySourceArn": principal.arn, "ActionNames": actions, "ContextEntries": ANY}
        stub.add_response("simulate_principal_policy", {"EvaluationResults": results, "IsTruncated": False}, expected)
    with stub:
        report = analyse(principal, clock=frozen_clock, simulator=client)
    stub.assert_no_pending_responses()
    assert report.simulation == "used" and report.simulated
    rows = {r.action: r for r in report.rows}
    assert rows["s3:ListAllMyBuckets"].mfa.aws is Result.ALLOWED and not rows["s3:ListAllMyBuckets"].disagrees
    lam = rows["lambda:ListFunctions"]
    assert lam.mfa.aws is Result.ALLOWED and lam.mfa.result is Result.IMPLICIT_DENY
    assert lam.mfa.disagrees and lam.disagrees and not lam.no_mfa.disagrees
    assert [r.action for r in report.rows if r.disagrees] == ["lambda:ListFunctions"]


def test_simulation_context_entries_follow_the_columns(frozen_clock):
    from botocore.stub import Stubber

    principal = _role([])
    client = aws.client("iam", access_key_id="AKIAEXAMPLE000000000", secret_access_key="x",
                        endpoint_url="http://127.0.0.1:9")
    seen: list[dict] = []
    client.meta.events.register("provide-client-params.iam.SimulatePrincipalPolicy", lambda params, **_: seen.append(params))
    stub = Stubber(client)
    for _ in range(3):
        stub.add_response("simulate_principal_policy", {"EvaluationResults": [], "IsTruncated": False})
    with stub:
        analyse(principal, actions=["s3:GetObject"], mfa_age=900, clock=frozen_clock, simulator=client)
    keys = [{e["ContextKeyName"]: (e["ContextKeyValues"], e["ContextKeyType"]) for e in p["ContextEntries"]} for p in seen]
    assert "aws:MultiFactorAuthPresent" not in keys[0]  # long-term keys: absent
    assert keys[1]["aws:MultiFactorAuthPresent"] == (["false"], "boolean")
    assert keys[2]["aws:MultiFactorAuthPresent"] == (["true"], "boolean")
    assert keys[2]["aws:MultiFactorAuthAge"] == (["900"], "numeric")
    assert keys[2]["aws:PrincipalArn"] == ([principal.arn], "string")


def test_simulation_refused_is_reported(frozen_clock):
    from botocore.stub import Stubber

    principal = _role([("S3Read", S3_READ)])
    client = aws.client("iam", access_key_id="AKIAEXAMPLE000000000", secret_access_key="x",
                        endpoint_url="http://127.0.0.1:9")
    stub = Stubber(client)
    stub.add_client_error("simulate_principal_policy", "AccessDenied",
                          "User: x is not authorized to perform: iam:SimulatePrincipalPolicy", 403)
    with stub:
        report = analyse(principal, clock=frozen_clock, simulator=client)
    assert report.simulation == (
        "AWS simulation unavailable: AccessDenied: User: x is not authorized to perform: iam:SimulatePrincipalPolicy"
    )
    assert next(r for r in report.rows if r.action == "s3:ListAllMyBuckets").mfa.allowed


def test_report_is_json(alice_with_group, frozen_clock):
    report = analyse(fetch_user(iam_client(alice_with_group), "alice"), clock=frozen_clock)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["principal"]["name"] == "alice" and data["mfa_age"] == 300
    row = next(r for r in data["rows"] if r["action"] == "s3:DeleteBucket")
    assert row["needs_mfa"] is True and row["long_term"]["result"] == "explicit_deny"
    assert row["mfa"]["deciding"] == ["DemoAdministratorAccess#0"]
    force = next(p for p in data["principal"]["policies"] if p["label"] == "ForceMFA")
    assert force["mfa_statements"] == [0]


def test_matrix_names_actions_of_single_statement_policies_once(frozen_clock):
    single = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["kms:Decrypt", "KMS:decrypt", "s3:*"], "Resource": "*"}}
    principal = _role([("One", single), ("Broken", {"Statement": "nope"})])
    named = [(a, o) for a, o in matrix_actions(principal, ["kms:DECRYPT"]) if o != "example"]
    assert named == [("kms:DECRYPT", "requested")]  # named again by the policy: listed once
    assert ("kms:Decrypt", "policy") in matrix_actions(principal)
    report = analyse(principal, clock=frozen_clock)
    assert any("no Statement list" in w for w in report.warnings)
