/** Bytes from hex text, white space ignored: `hex('00 3ff0')` (the tests' byte literals). */
export const hex = (s: string): Uint8Array =>
  new Uint8Array(
    s
      .replace(/\s+/g, '')
      .match(/../g)
      ?.map((h) => parseInt(h, 16)) ?? [],
  );
