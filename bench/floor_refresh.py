"""The floor for a one-code refresh: a minimal boto3 script making the same calls as mfa-tui.

``python floor_refresh.py JOB.json``: one GetSessionToken with the long-term keys and a code,
then AssumeRole for every role ARN with that session's keys, ``concurrency`` at a time through
one client (as mfa-tui's engine does), to the same endpoint. It writes nothing: what mfa-tui
does beyond these calls (registry, credentials file, state) is what the ratio measures.
JOB.json holds the keys, so the bench writes it 0600 in its temp dir.
"""

import json
import sys
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config


def main(path: str) -> int:
    with open(path) as fh:
        job = json.load(fh)
    session = boto3.session.Session()
    sts = session.client("sts", region_name=job["region"], endpoint_url=job["endpoint"],
                         aws_access_key_id=job["access_key_id"], aws_secret_access_key=job["secret_access_key"])
    mfa = sts.get_session_token(DurationSeconds=job["mfa_duration"], SerialNumber=job["serial"],
                                TokenCode=job["code"])["Credentials"]
    roles = session.client("sts", region_name=job["region"], endpoint_url=job["endpoint"],
                           aws_access_key_id=mfa["AccessKeyId"], aws_secret_access_key=mfa["SecretAccessKey"],
                           aws_session_token=mfa["SessionToken"],
                           config=Config(max_pool_connections=max(10, job["concurrency"])))

    def assume(arn: str) -> str:
        answer = roles.assume_role(RoleArn=arn, RoleSessionName="bench", DurationSeconds=job["duration"])
        return answer["Credentials"]["AccessKeyId"]

    with ThreadPoolExecutor(max_workers=job["concurrency"]) as pool:
        keys = list(pool.map(assume, job["role_arns"]))
    print(len(keys))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
