/**
 * The `plumbline` command. Run it with `npx plumbline …` (bin/plumbline.mjs), `npx tsx cli/main.ts …`,
 * or `npm start` for the bundled example.
 */
import { run } from './run.ts';

// `plumbline scan … | head` closes the pipe early: stop quietly rather than with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
