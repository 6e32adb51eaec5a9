/**
 * ProgramTables: the PSI side of TsDemuxer. Assembles the PAT and the PMT of the program
 * followed (the first of the PAT unless told), counts every PAT and PMT (a repetition of
 * the table applied last is recognised by its bytes: not CRC-checked and parsed again),
 * and reports each PMT that changes the program's elementary streams.
 */
import { PAT_PID } from './constants.js';
import { TsDemuxError } from './errors.js';
import type { PcrTiming } from './pcr-timing.js';
import { SectionAssembler, SectionMemo, isCurrentSection, parsePat, parsePmt, type ParsedPmt } from './psi-reader.js';
import type { TsStreamStats } from './stream-stats.js';

/** The PAT and the followed PMT of a transport stream being demuxed. */
export class ProgramTables {
  /** Section assembler per PID (the PAT's and the followed PMT's), undefined elsewhere: the packet path's lookup. */
  readonly sectionByPid: Array<SectionAssembler | undefined> = new Array<SectionAssembler | undefined>(8192).fill(
    undefined,
  );
  private pmtPid = -1;
  private programNumber = -1;
  private pmtVersion = -1;
  /** stream_type:PID list of the current PMT: a new stream set with the same version still counts as a change. */
  private pmtStreams = '';
  private readonly patMemo = new SectionMemo();
  private readonly pmtMemo = new SectionMemo();

  /**
   * @param stats where PAT/PMT counts and section errors are counted
   * @param timing told that a PAT/PMT came (for the PSI intervals it measures)
   * @param wantedProgram program_number to follow; the first of the PAT when undefined
   * @param onStreams called with each PMT of the program that changes its streams
   * @param problem called with each bad section (after it is counted)
   */
  constructor(
    private readonly stats: TsStreamStats,
    private readonly timing: PcrTiming,
    private readonly wantedProgram: number | undefined,
    private readonly onStreams: (pmt: ParsedPmt) => void,
    private readonly problem: (error: TsDemuxError) => void,
  ) {
    this.setSection(PAT_PID, new SectionAssembler(PAT_PID, (b, l) => this.onPat(b, l)));
  }

  /** True when `pid` carries sections (the PAT or the followed PMT), not PES. */
  isSectionPid(pid: number): boolean {
    return this.sectionByPid[pid] !== undefined;
  }

  /** Feeds the payload `b[p, end)` of one packet to `section` (the assembler of its PID); a bad section is counted and reported. */
  push(section: SectionAssembler, b: Uint8Array, p: number, end: number, unitStart: boolean): void {
    try {
      section.push(b, p, end, unitStart);
    } catch (error) {
      if (!(error instanceof TsDemuxError)) throw error;
      if (error.code === 'crc') this.stats.crcErrors++;
      else this.stats.psiErrors++;
      this.problem(error);
    }
  }

  /** A continuity error on `pid`: its partial section, if any, is lost. */
  onLoss(pid: number): void {
    this.sectionByPid[pid]?.reset();
  }

  private setSection(pid: number, assembler: SectionAssembler | undefined): void {
    this.sectionByPid[pid] = assembler;
  }

  private onPat(buf: Uint8Array, length: number): void {
    // a repetition of the PAT applied last changes nothing: counted, not parsed
    if (this.patMemo.same(buf, length)) {
      this.stats.patCount++;
      this.timing.patPending = true;
      return;
    }
    const programs = parsePat(buf, length);
    if (!isCurrentSection(buf)) return;
    this.patMemo.remember(buf, length);
    this.stats.patCount++;
    this.timing.patPending = true;
    const program =
      this.wantedProgram === undefined ? programs[0] : programs.find((p) => p.programNumber === this.wantedProgram);
    if (program === undefined || program.pmtPid === this.pmtPid) return;
    if (this.pmtPid >= 0) this.setSection(this.pmtPid, undefined);
    this.pmtPid = program.pmtPid;
    this.programNumber = program.programNumber;
    this.pmtVersion = -1;
    this.pmtStreams = '';
    this.pmtMemo.clear();
    const pid = program.pmtPid;
    this.setSection(pid, new SectionAssembler(pid, (b, l) => this.onPmt(b, l, pid)));
  }

  private onPmt(buf: Uint8Array, length: number, pid: number): void {
    // a repetition of the PMT applied last changes nothing: counted, not parsed
    if (this.pmtMemo.same(buf, length)) {
      this.stats.pmtCount++;
      this.timing.pmtPending = true;
      return;
    }
    const pmt = parsePmt(buf, length, pid);
    if (!isCurrentSection(buf) || pmt.programNumber !== this.programNumber) return;
    this.pmtMemo.remember(buf, length);
    this.stats.pmtCount++;
    this.timing.pmtPending = true;
    const streams = pmt.streams.map((e) => `${e.streamType}:${e.pid}`).join(',');
    if (pmt.version === this.pmtVersion && streams === this.pmtStreams) return;
    this.pmtVersion = pmt.version;
    this.pmtStreams = streams;
    this.onStreams(pmt);
  }
}
