/**
 * Imported first by bench/run.ts: the functions' loggers are built at import, so their level must be set
 * before any handler module loads. The benchmarks print figures, not the functions' logs.
 */
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.AWS_REGION ??= 'us-east-1';
