/**
 * CDK entry point (`cdk.json` → `app`). `npm run synth` builds the bundles first, then synthesises offline;
 * cdk-nag's AwsSolutions checks run at synth and fail it on any unacknowledged finding.
 */
import { App } from 'aws-cdk-lib';
import { definePlumbline } from './plumbline.ts';

const app = new App();
definePlumbline(app);
app.synth();
