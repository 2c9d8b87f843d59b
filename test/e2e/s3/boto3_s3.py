"""boto3 against mlzone's S3: upload_file/download_file (multipart), presigned URLs (SigV2 by default, SigV4
when asked), a presigned PUT, and virtual-hosted addressing (bucket.localhost). Prints a JSON summary; any
failed expectation raises (non-zero exit)."""
import hashlib
import json
import os
import socket
import sys
import urllib.request

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

# `<bucket>.localhost` does not resolve on this machine: send every *.localhost name to the loopback.
_getaddrinfo = socket.getaddrinfo


def _local(host, *args, **kwargs):
    if isinstance(host, str) and host.endswith('.localhost'):
        host = '127.0.0.1'
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _local

endpoint = os.environ['MLZONE_ENDPOINT']
port = endpoint.rsplit(':', 1)[1]
bucket = os.environ['MLZONE_BUCKET']
work = os.environ['MLZONE_WORKDIR']
creds = dict(
    aws_access_key_id=os.environ['AWS_ACCESS_KEY_ID'],
    aws_secret_access_key=os.environ['AWS_SECRET_ACCESS_KEY'],
    aws_session_token=os.environ['AWS_SESSION_TOKEN'],
    region_name='us-east-1',
)
s3 = boto3.client('s3', endpoint_url=endpoint, **creds)
summary = {}


def md5_file(path):
    h = hashlib.md5()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


def fetch(url, data=None, method='GET'):
    # urllib would add a form Content-Type to a body, which the presigned signature does not cover.
    req = urllib.request.Request(url, data=data, method=method, headers={'Content-Type': ''} if data is not None else {})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


s3.create_bucket(Bucket=bucket)

src = os.path.join(work, 'upload.bin')
with open(src, 'wb') as f:
    for i in range(24):
        f.write(os.urandom(1 << 20))
config = TransferConfig(multipart_threshold=8 << 20, multipart_chunksize=8 << 20, max_concurrency=4)
s3.upload_file(src, bucket, 'models/upload.bin', Config=config)
head = s3.head_object(Bucket=bucket, Key='models/upload.bin')
assert head['ContentLength'] == 24 << 20, head
assert head['ETag'].endswith('-3"'), head['ETag']
dst = os.path.join(work, 'download.bin')
s3.download_file(bucket, 'models/upload.bin', dst, Config=config)
assert md5_file(dst) == md5_file(src)
summary['multipart_etag'] = head['ETag']

s3.put_object(Bucket=bucket, Key='notes/a b+c.txt', Body=b'hello presign')
v2_url = s3.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'notes/a b+c.txt'}, ExpiresIn=300)
assert 'AWSAccessKeyId=' in v2_url, v2_url
status, body = fetch(v2_url)
assert status == 200 and body == b'hello presign', (status, body)
summary['sigv2_presign'] = status

status, body = fetch(v2_url.replace('Signature=', 'Signature=AA'))
assert status == 403 and b'SignatureDoesNotMatch' in body, (status, body)

v4 = boto3.client('s3', endpoint_url=endpoint, config=Config(signature_version='s3v4'), **creds)
v4_url = v4.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'notes/a b+c.txt'}, ExpiresIn=300)
assert 'X-Amz-Signature=' in v4_url, v4_url
status, body = fetch(v4_url)
assert status == 200 and body == b'hello presign', (status, body)
summary['sigv4_presign'] = status

put_url = s3.generate_presigned_url('put_object', Params={'Bucket': bucket, 'Key': 'uploads/presigned.txt'}, ExpiresIn=300)
status, _ = fetch(put_url, data=b'put through a presigned url', method='PUT')
assert status == 200, status
got = s3.get_object(Bucket=bucket, Key='uploads/presigned.txt')['Body'].read()
assert got == b'put through a presigned url', got
summary['presigned_put'] = status

virtual = boto3.client('s3', endpoint_url=f'http://localhost:{port}', config=Config(s3={'addressing_style': 'virtual'}), **creds)
virtual.put_object(Bucket=bucket, Key='virtual/k 1+x=y&z', Body=b'via virtual host')
got = virtual.get_object(Bucket=bucket, Key='virtual/k 1+x=y&z')['Body'].read()
assert got == b'via virtual host', got
keys = [o['Key'] for o in virtual.list_objects_v2(Bucket=bucket, Prefix='virtual/')['Contents']]
assert keys == ['virtual/k 1+x=y&z'], keys
vurl = virtual.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'virtual/k 1+x=y&z'}, ExpiresIn=300)
assert vurl.startswith(f'http://{bucket}.localhost:{port}/'), vurl
status, body = fetch(vurl)
assert status == 200 and body == b'via virtual host', (status, body)
summary['virtual_host'] = keys

print(json.dumps(summary))
