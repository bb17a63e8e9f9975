/**
 * `npm run package`: deployable CloudFormation templates and zipped bundles for teams that do not use the
 * CDK. Each function's code is an S3 object named by two template parameters (`AssetBucket`, and one
 * `<Function>CodeKey` per function, defaulting to the zip's file name), so the templates deploy with
 * `aws cloudformation deploy` (or as a StackSet) after the zips are uploaded to a bucket of the deployer's
 * choice. Settings come from `cdk.json` and `-c plumbline:<key>=<value>` arguments, as for `cdk synth`.
 *
 * Output (`package/` unless `--out <dir>`): `<stack>.template.json`, `assets/<function>-<hash>.zip`, and
 * `manifest.json` (stacks, their regions and dependencies, and each asset's parameter and file).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  App,
  CfnParameter,
  type DockerImageAssetLocation,
  type FileAssetLocation,
  type FileAssetSource,
  type ISynthesisSession,
  Stack,
  StackSynthesizer,
} from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { InputError } from '../shared/core/model.ts';
import { definePlumbline, REPOSITORY_ROOT } from './plumbline.ts';

/** The S3 bucket parameter every packaged template takes. */
export const ASSET_BUCKET_PARAMETER = 'AssetBucket';

interface PackagedAsset {
  stack: string;
  parameter: string;
  file: string;
  /** The staged directory of the bundle in the synth output. */
  source: string;
}

/**
 * Assets as template parameters: the bucket and one key per asset, nothing from the CDK bootstrap (no
 * bootstrap version rule, no asset manifest to publish).
 */
export class PackagedSynthesizer extends StackSynthesizer {
  readonly assets: PackagedAsset[] = [];
  private bucket?: CfnParameter;

  addFileAsset(asset: FileAssetSource): FileAssetLocation {
    const stack = this.boundStack;
    if (asset.fileName === undefined) throw new Error('A packaged asset needs a file or directory');
    this.bucket ??= new CfnParameter(stack, ASSET_BUCKET_PARAMETER, {
      type: 'String',
      description: 'The S3 bucket you uploaded the zips of assets/ to (same region as the stack)',
      minLength: 3,
    });
    // The construct path names the function: `<Function>/Function/Code` → `<Function>CodeKey`.
    const owner = assetOwner(stack, asset);
    const id = `${owner}CodeKey`;
    const file = `${owner}-${asset.sourceHash.slice(0, 16)}.zip`;
    const key = new CfnParameter(stack, id, {
      type: 'String',
      default: file,
      description: `The S3 key of ${file} in ${ASSET_BUCKET_PARAMETER}`,
    });
    this.assets.push({ stack: stack.stackName, parameter: id, file, source: asset.fileName });
    const bucketName = this.bucket.valueAsString;
    const objectKey = key.valueAsString;
    return {
      bucketName,
      objectKey,
      httpUrl: `https://s3.${stack.region}.${stack.urlSuffix}/${bucketName}/${objectKey}`,
      s3ObjectUrl: `s3://${bucketName}/${objectKey}`,
    };
  }

  addDockerImageAsset(): DockerImageAssetLocation {
    throw new Error('Plumbline has no container images to package');
  }

  synthesize(session: ISynthesisSession): void {
    this.synthesizeTemplate(session);
    this.emitArtifact(session);
  }
}

/**
 * The function an asset belongs to: the `Asset` construct with this hash, at `<app>/<stack>/<Function>/Function/Code`
 * (`PlumblineFunction` ids are the function names in Pascal case).
 */
function assetOwner(stack: Stack, asset: FileAssetSource): string {
  const owner = stack.node
    .findAll()
    .find((construct) => construct instanceof s3assets.Asset && construct.assetHash === asset.sourceHash);
  const id = owner?.node.scopes[2]?.node.id;
  if (id === undefined) throw new Error(`No construct owns the asset ${asset.sourceHash}`);
  return id.replace(/[^A-Za-z0-9]/g, '');
}

export interface PackageResult {
  outDir: string;
  templates: string[];
  assets: { parameter: string; file: string; stack: string }[];
}

/** Synthesises the app with `context` and writes the templates, the zips and the manifest into `outDir`. */
export function packagePlumbline(outDir: string, context: Record<string, unknown>): PackageResult {
  const synthOut = join(outDir, '.synth');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'assets'), { recursive: true });
  const synthesizers: PackagedSynthesizer[] = [];
  const app = new App({ outdir: synthOut, context, analyticsReporting: false });
  const { stacks } = definePlumbline(app, {
    synthesizer: () => {
      const created = new PackagedSynthesizer();
      synthesizers.push(created);
      return created;
    },
  });
  const assembly = app.synth();
  const templates: string[] = [];
  for (const stack of stacks) {
    const file = join(outDir, `${stack.stackName}.template.json`);
    writeFileSync(file, `${JSON.stringify(assembly.getStackArtifact(stack.artifactId).template, null, 1)}\n`);
    templates.push(file);
  }
  const assets = synthesizers.flatMap((created) => created.assets);
  for (const asset of assets) {
    const target = resolve(outDir, 'assets', asset.file);
    if (existsSync(target)) continue;
    zipDirectory(resolve(synthOut, asset.source), target);
  }
  const manifest = {
    stacks: stacks.map((stack) => ({
      name: stack.stackName,
      template: `${stack.stackName}.template.json`,
      region: Stack.of(stack).region,
      dependsOn: stack.dependencies.map((dependency) => dependency.stackName),
    })),
    assets: assets.map(({ stack, parameter, file }) => ({ stack, parameter, file: `assets/${file}` })),
  };
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  rmSync(synthOut, { recursive: true, force: true });
  return { outDir, templates, assets: manifest.assets };
}

/** Zips `dir`'s contents (the bundle at the zip's root, as Lambda expects), with the `zip` tool. */
function zipDirectory(dir: string, target: string): void {
  const staging = `${target}.d`;
  cpSync(dir, staging, { recursive: true });
  try {
    execFileSync('zip', ['-q', '-r', '-X', target, '.'], {
      cwd: staging,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InputError(
        "npm run package needs the zip tool (apt-get install zip, or your platform's package)",
      );
    }
    throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** `-c plumbline:key=value` and `--out dir` from the command line, over `cdk.json`'s context. */
export function packageArguments(argv: readonly string[]): {
  outDir: string;
  context: Record<string, unknown>;
} {
  const context: Record<string, unknown> = {};
  let outDir = resolve(REPOSITORY_ROOT, 'package');
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    const value = argv[index + 1];
    if ((argument === '-c' || argument === '--context') && value !== undefined) {
      const separator = value.indexOf('=');
      if (separator < 1) throw new InputError(`${argument} ${value}: expected key=value`);
      context[value.slice(0, separator)] = value.slice(separator + 1);
      index += 1;
    } else if (argument === '--out' && value !== undefined) {
      outDir = resolve(value);
      index += 1;
    } else {
      throw new InputError(
        `Unknown argument ${argument} (expected -c plumbline:<key>=<value> or --out <dir>)`,
      );
    }
  }
  return { outDir, context };
}
