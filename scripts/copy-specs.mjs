#!/usr/bin/env node
// Copies the AWS service models mlzone uses from ../shared/aws-models/<svc>/ into specs/<svc>/, so that a
// fresh clone builds without ../shared. Add a service by adding its directory name to SERVICES, then run
// `npm run specs && npm run codegen`.
import { chmodSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVICES = ['sts', 'iam', 'organizations', 'cloudtrail', 's3', 'ecr', 'sagemaker', 'sagemaker-runtime', 'cloudwatch', 'logs', 'oam', 'glue', 'lakeformation', 'ram', 'athena'];
const FILES = ['service-2.json', 'paginators-1.json'];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = resolve(process.argv[2] ?? join(root, '..', 'shared', 'aws-models'));
const target = join(root, 'specs');

let copied = 0;
for (const svc of SERVICES) {
  mkdirSync(join(target, svc), { recursive: true });
  for (const file of FILES) {
    const from = join(source, svc, file);
    if (!existsSync(from)) {
      if (file === 'service-2.json') throw new Error(`missing model ${from}`);
      continue;
    }
    copyFileSync(from, join(target, svc, file));
    chmodSync(join(target, svc, file), 0o644);
    copied++;
  }
}
console.log(`copied ${copied} files for ${SERVICES.length} services into ${target}`);
