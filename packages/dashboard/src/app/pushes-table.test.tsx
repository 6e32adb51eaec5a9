// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { pushRecord } from '../test-support/records.js';
import { PushesTable } from './pushes-table.js';
import { StartPushForm } from './start-push-form.js';

const XSS = '<img src=x onerror=window.__xss=1>';
let root: HTMLElement;

function mount(node: preact.ComponentChild): HTMLElement {
  root = document.createElement('div');
  document.body.append(root);
  void act(() => render(node, root));
  return root;
}

afterEach(() => {
  void act(() => render(null, root));
  root.remove();
});

describe('PushesTable', () => {
  it('renders names, ids and errors as text, never as markup', () => {
    const record = pushRecord({
      id: XSS,
      stream: { name: XSS, tracks: [] },
      lastError: `<b>${XSS}</b>`,
      state: 'error',
    });
    const el = mount(<PushesTable pushes={[record]} onStop={() => Promise.resolve()} />);
    expect(el.querySelector('img')).toBeNull();
    expect(el.querySelector('b')).toBeNull();
    expect(el.querySelector('.push-id')?.textContent).toBe(XSS);
    expect(el.querySelector('.last-error')?.textContent).toBe(`<b>${XSS}</b>`);
    expect(el.querySelector(`button[aria-label="Stop ${XSS}"]`)).not.toBeNull();
  });

  it('is a real table: column headers, one row per push, state in words and colour, key masked until shown', () => {
    const el = mount(
      <PushesTable
        pushes={[
          pushRecord({
            id: 'p1',
            state: 'pushing',
            sentBytes: 123_456,
            bitrate: 2_500_000,
            sequence: 3,
            sentTime: 65_000,
          }),
        ]}
        onStop={() => Promise.resolve()}
      />,
    );
    const headers = [...el.querySelectorAll('thead th')].map((th) => th.textContent);
    expect(headers).toEqual([
      'ID',
      'Stream',
      'Protocol',
      'Destination',
      'State',
      'Sent',
      'Bit rate',
      'Reconnects',
      'Last error',
      'Uptime',
      'Actions',
    ]);
    const cells = [...el.querySelectorAll('tbody tr > *')].map((c) => c.textContent);
    expect(cells).toEqual([
      'p1',
      'camdefault/app',
      'rtmp',
      'rtmp://example.com/live/••••••••1234Show key',
      'Pushing',
      '123 kB',
      '2.50 Mbit/s',
      '3',
      '—',
      '1 min 05 s',
      'Stop',
    ]);
    expect(el.querySelector('.state')?.className).toContain('tone-ok');
    const toggle = el.querySelector<HTMLButtonElement>('button[aria-label="Show key of p1"]');
    expect(toggle?.getAttribute('aria-pressed')).toBe('false');
    void act(() => toggle?.click());
    expect(el.querySelector('.destination code')?.textContent).toBe('rtmp://example.com/live/secret-key-1234');
    expect(toggle?.getAttribute('aria-pressed')).toBe('true');
  });

  it("shows an srt push's recovery counters under the bytes sent (none for protocols without them)", () => {
    const el = mount(
      <PushesTable
        pushes={[
          pushRecord({
            id: 's1',
            protocol: 'srt',
            url: 'srt://example.com:9000?streamid=live/cam',
            streamKey: '',
            state: 'pushing',
            retransmittedPackets: 42,
            retransmittedBytes: 56_448,
            lostPackets: 40,
            droppedPackets: 2,
          }),
          pushRecord({ id: 'r1' }),
        ]}
        onStop={() => Promise.resolve()}
      />,
    );
    const rows = [...el.querySelectorAll('tbody tr')];
    expect(rows[0]?.querySelector('.recovery')?.textContent).toBe('42 resent · 40 lost · 2 dropped');
    expect(rows[1]?.querySelector('.recovery')).toBeNull();
  });

  it('disables Stop for a push already stopping', () => {
    const el = mount(
      <PushesTable pushes={[pushRecord({ id: 'p1', state: 'stopping' })]} onStop={() => Promise.resolve()} />,
    );
    expect(el.querySelector<HTMLButtonElement>('button[aria-label="Stop p1"]')?.disabled).toBe(true);
  });
});

describe('StartPushForm', () => {
  const apps = [{ vhost: 'default', app: 'app', pushEnabled: true }];
  const streams = [
    {
      vhost: 'default',
      app: 'app',
      name: 'cam',
      history: [],
      tracks: [{ id: 0, type: 'video' as const, codec: 'h265' }],
    },
  ];

  it('a preset fills the url, says what it needs, and warns about codecs the platform does not take', () => {
    const el = mount(
      <StartPushForm apps={apps} streams={streams} onStart={() => Promise.reject(new Error('unused'))} />,
    );
    const url = el.querySelector<HTMLInputElement>('#push-url');
    expect(url?.value).toBe('rtmp://a.rtmp.youtube.com/live2');
    const preset = el.querySelector<HTMLSelectElement>('#push-preset');
    void act(() => {
      if (preset === null) return;
      preset.value = 'twitch';
      preset.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(el.querySelector<HTMLInputElement>('#push-url')?.value).toBe('rtmp://live.twitch.tv/app');
    expect(el.querySelector('#push-needs')?.textContent).toContain('H.264 video, AAC audio');
    const stream = el.querySelector<HTMLInputElement>('#push-stream');
    void act(() => {
      if (stream === null) return;
      stream.value = 'cam';
      stream.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(el.querySelector('.warning')?.textContent).toBe('Twitch takes H.264 video, not H.265/HEVC (track 0)');
    expect(el.querySelector('fieldset')?.textContent).toContain('#0 video: H.265/HEVC');
  });
});
