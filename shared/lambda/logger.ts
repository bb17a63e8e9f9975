import { Logger } from '@aws-lambda-powertools/logger';

/** One structured JSON logger for every Plumbline function; `POWERTOOLS_SERVICE_NAME` names the function. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'plumbline' });
