// 摄像扫码: a QR code read by the kiosk's camera goes to the lane as a scan.
import { api, closeModal, h, ic, modal, onModalClose, toast, tr } from '../core/index.js';

/** The QR text in an RGBA frame reduced f× by averaging, or null. */
function decodeFrame(Z, reader, img, f) {
  const w = Math.floor(img.width / f);
  const hgt = Math.floor(img.height / f);
  const lum = new Uint8ClampedArray(w * hgt);
  const d = img.data;
  for (let y = 0; y < hgt; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = 0; dy < f; dy++) {
        for (let dx = 0; dx < f; dx++) {
          const i = ((y * f + dy) * img.width + x * f + dx) * 4;
          sum += (d[i] * 299 + d[i + 1] * 587 + d[i + 2] * 114) / 1000;
        }
      }
      lum[y * w + x] = sum / (f * f);
    }
  }
  try {
    return reader.decode(new Z.BinaryBitmap(new Z.HybridBinarizer(new Z.RGBLuminanceSource(lum, w, hgt)))).getText();
  } catch {
    return null;
  }
}

/** Our own frame loop over @zxing/library's QR reader: its video helpers can miss the 'playing' event and wait forever. */
export async function cameraDialog(lane) {
  const video = h('video', { muted: true, playsInline: true, autoplay: true, 'data-testid': 'camera-video' });
  const msg = h('p.err');
  let stream = null;
  let timer = null;
  let done = false;
  const release = () => {
    done = true;
    clearTimeout(timer);
    for (const t of stream?.getTracks() ?? []) t.stop();
  };
  modal([h('h2', {}, tr('摄像头扫码', 'Scan with the camera')), video, msg, h('button', { type: 'button', onclick: closeModal }, ic('cross'), tr('关闭', 'Close'))]);
  onModalClose(release);
  try {
    if (!window.ZXing) await new Promise((resolve, reject) => document.head.append(h('script', { src: '/vendor/zxing/index.min.js', onload: resolve, onerror: () => reject(new Error(tr('扫码组件加载失败', 'The scanner library did not load'))) })));
    const Z = window.ZXing;
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    if (done) return release();
    video.srcObject = stream;
    await video.play().catch(() => {});
    const canvas = document.createElement('canvas');
    const g = canvas.getContext('2d', { willReadFrequently: true });
    const reader = new Z.QRCodeReader();
    let round = 0;
    const tick = () => {
      if (done) return;
      if (video.videoWidth) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        g.drawImage(video, 0, 0);
        // zxing-js misses sharp codes whose modules are many pixels wide: each frame is also tried
        // averaged down 3×, 2× and 4× (a box filter; the canvas's own scaling aliases).
        const f = [1, 3, 2, 4][round++ % 4];
        const text = decodeFrame(Z, reader, g.getImageData(0, 0, canvas.width, canvas.height), f);
        if (text) {
          closeModal();
          void api('POST', `/api/lanes/${encodeURIComponent(lane)}/scan`, { text }).catch((e) => toast(e.message, true));
          return;
        }
      }
      timer = setTimeout(tick, 120);
    };
    tick();
  } catch (e) {
    msg.textContent = `${tr('无法使用摄像头', 'The camera cannot be used')}: ${e.message ?? e}`;
  }
}
