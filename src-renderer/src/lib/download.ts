/** Saves a file from the page: a blob URL on an anchor, which works in a browser and in Electron's renderer alike. */
export function download(fileName: string, content: Blob): void {
  const url = URL.createObjectURL(content);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.click();
  // Revoked after the click has been handled: revoking at once can cancel the download.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadCsv(fileName: string, csv: string): void {
  download(fileName, new Blob([csv], { type: 'text/csv' }));
}

/** A base64 data URL (e.g. a chart snapshot) saved as a file; decoded here, since the page's CSP keeps fetch off data: URLs. */
export function downloadDataUrl(fileName: string, dataUrl: string): void {
  const [head = '', base64 = ''] = dataUrl.split(',', 2);
  const type = /^data:([^;]+)/.exec(head)?.[1] ?? 'application/octet-stream';
  download(fileName, new Blob([Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0))], { type }));
}
