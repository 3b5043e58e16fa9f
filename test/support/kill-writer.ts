// Child process for the SIGKILL test: writes a case as a capture would and reports each step on
// stdout; once the chain is written it keeps adding event records until it is killed. Never closes.
import { CaseWriter } from '../../src/case/case-writer.js';
import { sampleCapture } from './test-capture.js';

const outDir = process.argv[2];
if (!outDir) throw new Error('usage: kill-writer <outDir>');
const capture = sampleCapture();
const writer = await CaseWriter.create(outDir, { ...capture.info, partial: true, endedAt: null }, { keyDir: null });
process.stdout.write(`case ${writer.dir}\n`);
for (const rec of capture.dns) writer.addDns(rec);
for (const ex of capture.exchanges) {
  writer.addExchange(ex);
  process.stdout.write(`exchange ${ex.id}\n`);
}
writer.addPage(capture.pages[0]);
process.stdout.write('page\n');
let n = 0;
const writeSome = () => {
  for (let i = 0; i < 20; i++) writer.addEvents([{ ...capture.events[n++ % capture.events.length] }]);
};
// Some events are on disk before "looping" is said: on a loaded machine the first interval may
// come after the kill.
writeSome();
setInterval(writeSome, 0);
process.stdout.write('looping\n');
