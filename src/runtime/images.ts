/**
 * Which runtime serves an image URI (ARCHITECTURE.md §7). A blueprint or a SageMaker Python SDK user writes the
 * URI that `sagemaker.image_uris.retrieve()` returns, e.g.
 * `683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3`; mlzone cannot pull AWS's
 * images, so it recognises them and serves them with its own runtimes instead. Recognition needs the account that
 * owns the repository in that region: a repository merely *named* `sagemaker-scikit-learn` in someone else's
 * account is that someone's image, not AWS's.
 *
 * The account tables below come from the SageMaker Python SDK's `image_uri_config/{sklearn,xgboost,linear-learner}
 * .json` (aws/sagemaker-python-sdk, checked 2026-08). scikit-learn and XGBoost ≥ 0.90 share one set of accounts;
 * the legacy XGBoost 0.72 algorithm image (`xgboost:1`) and the built-in algorithms live in other accounts.
 * The built-in linear learner needs no table: any repository named `linear-learner` or `mlzone/linear-learner`
 * is mlzone's built-in algorithm, whichever registry it is in.
 */
import type { RuntimeImage } from './types.js';

/** `sagemaker-scikit-learn` and `sagemaker-xgboost` (0.90-1 and later): region → account. */
const FRAMEWORK_ACCOUNTS = table(`
  af-south-1 510948584623, ap-east-1 651117190479, ap-northeast-1 354813040037, ap-northeast-2 366743142698,
  ap-northeast-3 867004704886, ap-south-1 720646828776, ap-south-2 628508329040, ap-southeast-1 121021644041,
  ap-southeast-2 783357654285, ap-southeast-3 951798379941, ap-southeast-4 106583098589, ca-central-1 341280168497,
  ca-west-1 190319476487, cn-north-1 450853457545, cn-northwest-1 451049120500, eu-central-1 492215442770,
  eu-central-2 680994064768, eu-north-1 662702820516, eu-south-1 978288397137, eu-south-2 104374241257,
  eu-west-1 141502667606, eu-west-2 764974769150, eu-west-3 659782779980, il-central-1 898809789911,
  me-central-1 272398656194, me-south-1 801668240914, sa-east-1 737474898029, us-east-1 683313688378,
  us-east-2 257758044811, us-gov-east-1 237065988967, us-gov-west-1 414596584902, us-iso-east-1 833128469047,
  us-isob-east-1 281123927165, us-isof-east-1 108575199400, us-isof-south-1 124985052026, us-west-1 746614075791,
  us-west-2 246618743249`);

/** The legacy XGBoost algorithm image, repository `xgboost`, tag `1` (XGBoost 0.72): region → account. */
const LEGACY_XGBOOST_ACCOUNTS = table(`
  af-south-1 455444449433, ap-east-1 286214385809, ap-northeast-1 501404015308, ap-northeast-2 306986355934,
  ap-northeast-3 867004704886, ap-south-1 991648021394, ap-south-2 628508329040, ap-southeast-1 475088953585,
  ap-southeast-2 544295431143, ap-southeast-3 951798379941, ap-southeast-4 106583098589, ca-central-1 469771592824,
  cn-north-1 390948362332, cn-northwest-1 387376663083, eu-central-1 813361260812, eu-central-2 680994064768,
  eu-north-1 669576153137, eu-south-1 257386234256, eu-south-2 104374241257, eu-west-1 685385470294,
  eu-west-2 644912444149, eu-west-3 749696950732, me-central-1 272398656194, me-south-1 249704162688,
  sa-east-1 855470959533, us-east-1 811284229777, us-east-2 825641698319, us-gov-east-1 237065988967,
  us-gov-west-1 226302683700, us-iso-east-1 490574956308, us-isob-east-1 765400339828, us-west-1 632365934929,
  us-west-2 433757028032`);

/**
 * AWS's built-in algorithm images (`linear-learner:1`): region → account. Not needed to recognise the image
 * (any `linear-learner` repository is built in) but to write the URI AWS's SDK would, see {@link awsImageUri}.
 */
const ALGORITHM_ACCOUNTS = table(`
  af-south-1 455444449433, ap-east-1 286214385809, ap-northeast-1 351501993468, ap-northeast-2 835164637446,
  ap-northeast-3 867004704886, ap-south-1 991648021394, ap-south-2 628508329040, ap-southeast-1 475088953585,
  ap-southeast-2 712309505854, ap-southeast-3 951798379941, ap-southeast-4 106583098589, ca-central-1 469771592824,
  ca-west-1 190319476487, cn-north-1 390948362332, cn-northwest-1 387376663083, eu-central-1 664544806723,
  eu-central-2 680994064768, eu-north-1 669576153137, eu-south-1 257386234256, eu-south-2 104374241257,
  eu-west-1 438346466558, eu-west-2 644912444149, eu-west-3 749696950732, il-central-1 898809789911,
  me-central-1 272398656194, me-south-1 249704162688, sa-east-1 855470959533, us-east-1 382416733822,
  us-east-2 404615174143, us-gov-east-1 237065988967, us-gov-west-1 226302683700, us-iso-east-1 490574956308,
  us-isob-east-1 765400339828, us-isof-east-1 108575199400, us-isof-south-1 124985052026, us-west-1 632365934929,
  us-west-2 174872318107`);

/**
 * SageMaker Data Wrangler's processing image, repository `sagemaker-data-wrangler-container`, tags `1.x`, `2.x`,
 * `3.x`: region → account (the SDK's `image_uri_config/data-wrangler.json`, checked 2026-12).
 */
const DATA_WRANGLER_ACCOUNTS = table(`
  af-south-1 143210264188, ap-east-1 707077482487, ap-northeast-1 649008135260, ap-northeast-2 131546521161,
  ap-northeast-3 364406365360, ap-south-1 089933028263, ap-southeast-1 119527597002, ap-southeast-2 422173101802,
  ca-central-1 557239378090, eu-central-1 024640144536, eu-north-1 054986407534, eu-south-1 488287956546,
  eu-west-1 245179582081, eu-west-2 894491911112, eu-west-3 807237891255, me-south-1 376037874950,
  sa-east-1 424196993095, us-east-1 663277389841, us-east-2 415577184552, us-west-1 926135532090,
  us-west-2 174368400705, cn-north-1 245909111842, cn-northwest-1 249157047649`);

function table(text: string): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  for (const pair of text.split(',')) {
    const [region, account] = pair.trim().split(/\s+/);
    map.set(region, account);
  }
  return map;
}

/** `<account>.dkr.ecr[-fips].<region>.<domain>` — the domain differs by partition (amazonaws.com, .com.cn, …). */
const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.[a-z0-9.-]+$/;
/** A leading version in a tag: `1.2-1` of `1.2-1-cpu-py3`, `0.23-1` of `0.23-1-cpu-py3`, `1` of `1`. */
const TAG_VERSION = /^\d+(?:\.\d+)*(?:-\d+)?/;

export interface ParsedImageUri {
  /** Registry host, when the URI names one (`…dkr.ecr….amazonaws.com`, `localhost:5000`). */
  readonly registry?: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Splits `[registry/]repository[:tag][@digest]` the way Docker does (a registry has a `.` or `:`, or is `localhost`). */
export function parseImageUri(uri: string): ParsedImageUri | undefined {
  let rest = uri.trim();
  if (rest === '' || /\s/.test(rest)) return undefined;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let registry: string | undefined;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (rest === '' || tag === '' || digest === '') return undefined;
  return { registry, repository: rest, tag, digest };
}

/**
 * The runtime for an image URI, or undefined when it is not an image mlzone serves by itself (then it is a
 * user image, mapped to a command by the blueprint, or resolved through its OCI base annotation).
 * @example frameworkImageOf('683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3')
 *   // → { kind: 'framework', framework: 'sklearn', version: '1.2-1' }
 */
export function frameworkImageOf(uri: string): RuntimeImage | undefined {
  const image = parseImageUri(uri);
  if (image === undefined) return undefined;
  if (image.repository === 'linear-learner' || image.repository === 'mlzone/linear-learner') {
    return { kind: 'builtin', algorithm: 'linear-learner' };
  }
  const host = image.registry === undefined ? undefined : ECR_HOST.exec(image.registry);
  if (!host) return undefined;
  const [, account, region] = host;
  const version = image.tag === undefined ? undefined : TAG_VERSION.exec(image.tag)?.[0];
  const withVersion = <T extends RuntimeImage>(img: T): T => (version === undefined ? img : { ...img, version });
  if (FRAMEWORK_ACCOUNTS.get(region) === account) {
    if (image.repository === 'sagemaker-scikit-learn') return withVersion({ kind: 'framework', framework: 'sklearn' });
    if (image.repository === 'sagemaker-xgboost') return withVersion({ kind: 'framework', framework: 'xgboost' });
  }
  if (image.repository === 'sagemaker-data-wrangler-container' && DATA_WRANGLER_ACCOUNTS.get(region) === account) {
    return image.tag === undefined ? { kind: 'data-wrangler' } : { kind: 'data-wrangler', version: image.tag };
  }
  if (image.repository === 'xgboost' && LEGACY_XGBOOST_ACCOUNTS.get(region) === account) {
    return withVersion({ kind: 'framework', framework: 'xgboost' });
  }
  return undefined;
}

/** The regions for which mlzone knows AWS's image accounts (all regions the SDK's configuration lists). */
export function knownImageRegions(): readonly string[] {
  return [...FRAMEWORK_ACCOUNTS.keys()];
}

/**
 * The URI `sagemaker.image_uris.retrieve()` returns for an image mlzone serves, for a region it knows: the
 * account and repository of AWS's image, the domain of the region's partition. Undefined for unknown regions.
 * @example awsImageUri('sklearn', 'us-east-1', '1.2-1') // '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3'
 */
export function awsImageUri(image: 'sklearn' | 'xgboost' | 'linear-learner' | 'data-wrangler', region: string, version?: string): string | undefined {
  const accounts = image === 'linear-learner' ? ALGORITHM_ACCOUNTS : image === 'data-wrangler' ? DATA_WRANGLER_ACCOUNTS : FRAMEWORK_ACCOUNTS;
  const account = accounts.get(region);
  if (account === undefined) return undefined;
  const host = `${account}.dkr.ecr.${region}.${ecrDomain(region)}`;
  switch (image) {
    case 'sklearn':
      return `${host}/sagemaker-scikit-learn:${version ?? '1.2-1'}-cpu-py3`;
    case 'xgboost':
      return `${host}/sagemaker-xgboost:${version ?? '1.7-1'}`;
    case 'linear-learner':
      return `${host}/linear-learner:1`;
    case 'data-wrangler':
      return `${host}/sagemaker-data-wrangler-container:${version ?? '3.x'}`;
    default: {
      const never: never = image;
      throw new Error(`unknown image ${String(never)}`);
    }
  }
}

function ecrDomain(region: string): string {
  if (region.startsWith('cn-')) return 'amazonaws.com.cn';
  if (region.startsWith('us-isob-')) return 'sc2s.sgov.gov';
  if (region.startsWith('us-isof-')) return 'csp.hci.ic.gov';
  if (region.startsWith('us-iso-')) return 'c2s.ic.gov';
  return 'amazonaws.com';
}
