import { describe, expect, it } from 'vitest';
import { imageUri, isRepositoryName, parseImageUri, parseRepositoryArn, repositoryArn, repositoryUri } from './names.js';

const D = `sha256:${'ab'.repeat(32)}`;

describe('repository names and ARNs', () => {
  it('follows the model pattern', () => {
    for (const ok of ['mlzone/training', 'ab', 'a.b_c__d--e/f-g', 'x/y/z']) expect(isRepositoryName(ok), ok).toBe(true);
    for (const bad of ['A', 'a', 'Mlzone/x', 'a//b', '/a', 'a/', 'a-', '-a', 'a_-b', 'a'.repeat(257)]) expect(isRepositoryName(bad), bad).toBe(false);
  });

  it('builds and parses repository ARNs and URIs', () => {
    const arn = repositoryArn('222222222222', 'us-east-1', 'mlzone/inference');
    expect(arn).toBe('arn:aws:ecr:us-east-1:222222222222:repository/mlzone/inference');
    expect(parseRepositoryArn(arn)).toEqual({ accountId: '222222222222', region: 'us-east-1', repositoryName: 'mlzone/inference' });
    expect(repositoryUri('222222222222', 'eu-west-1', 'x/y')).toBe('222222222222.dkr.ecr.eu-west-1.amazonaws.com/x/y');
    for (const bad of ['invalid', 'arn:aws:ecr:us-east-1:22:repository/x1', 'arn:aws:s3:::bucket', 'arn:aws:ecr:us-east-1:222222222222:repository/*', 'arn:aws:ecr:us-east-1:222222222222:registry/x1']) {
      expect(parseRepositoryArn(bad), bad).toBeUndefined();
    }
  });
});

describe('parseImageUri', () => {
  const host = '222222222222.dkr.ecr.us-east-1.amazonaws.com';

  it('reads account, region, repository and tag', () => {
    expect(parseImageUri(`${host}/mlzone/inference:v1`)).toEqual({ accountId: '222222222222', region: 'us-east-1', repositoryName: 'mlzone/inference', tag: 'v1' });
  });

  it('reads a digest reference, and a tag with a digest', () => {
    expect(parseImageUri(`${host}/mlzone/inference@${D}`)).toEqual({ accountId: '222222222222', region: 'us-east-1', repositoryName: 'mlzone/inference', digest: D });
    expect(parseImageUri(`${host}/mlzone/inference:v1@${D}`)).toMatchObject({ tag: 'v1', digest: D });
  });

  it('defaults the tag to latest, and accepts references without a registry host', () => {
    expect(parseImageUri(`${host}/x1`)).toMatchObject({ repositoryName: 'x1', tag: 'latest' });
    expect(parseImageUri('mlzone/training:2.1')).toEqual({ repositoryName: 'mlzone/training', tag: '2.1' });
  });

  it('refuses other registries and malformed parts', () => {
    for (const bad of [
      'docker.io/library/python:3.11',
      'localhost:5000/x1:v1',
      `123.dkr.ecr.us-east-1.amazonaws.com/x1:v1`,
      `${host}/Upper:v1`,
      `${host}/x1:-bad`,
      `${host}/x1@sha256:nothex`,
      `${host}/`,
    ]) {
      expect(parseImageUri(bad), bad).toBeUndefined();
    }
  });

  it('round-trips imageUri', () => {
    expect(parseImageUri(imageUri('222222222222', 'us-east-1', 'a/b', { tag: 't1' }))).toMatchObject({ repositoryName: 'a/b', tag: 't1' });
    expect(parseImageUri(imageUri('222222222222', 'us-east-1', 'a/b', { digest: D }))).toMatchObject({ repositoryName: 'a/b', digest: D });
  });
});
