// face-api's own tiny face detector on JPEG photos, on TensorFlow.js's pure-JS CPU backend.
// Usage: node reference.mjs <out-dir> <weights-manifest.json> <photo.jpg>...
// Writes <photo>.rgb (the decoded pixels, so both sides see the same input) and reference.json.
import fs from 'fs';
import path from 'path';
import { createRequire } from 'module';
import jpeg from 'jpeg-js';

const [outDir, manifestPath, ...photos] = process.argv.slice(2);
const require = createRequire(import.meta.url);

// The no-bundle build imports tfjs's ESM entry points plus the WebGL and WASM backends; point it at
// the CommonJS tfjs (which registers the CPU backend) and leave the GPU/WASM backends out.
const dist = path.dirname(require.resolve('@vladmandic/face-api/package.json'));
const source = fs.readFileSync(path.join(dist, 'dist/face-api.esm-nobundle.js'), 'utf8')
  .replace('from"@tensorflow/tfjs/dist/index.js"', 'from"@tensorflow/tfjs"')
  .replace('from"@tensorflow/tfjs-backend-webgl/dist/index.js"', 'from"./empty.mjs"')
  .replace('from"@tensorflow/tfjs-backend-wasm/dist/index.js"', 'from"./empty.mjs"');
fs.writeFileSync('empty.mjs', 'export {};\n');
fs.writeFileSync('face-api.mjs', source);
const faceapi = await import(path.resolve('face-api.mjs'));
const { tf } = faceapi;
await tf.setBackend('cpu');
await tf.ready();

const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
const shard = fs.readFileSync(path.join(path.dirname(manifestPath), manifest[0].paths[0]));
const weights = tf.io.decodeWeights(shard.buffer.slice(shard.byteOffset, shard.byteOffset + shard.length), manifest[0].weights);
faceapi.nets.tinyFaceDetector.loadFromWeightMap(weights);

const results = {};
for (const photo of photos) {
  const name = path.basename(photo, '.jpg');
  const img = jpeg.decode(fs.readFileSync(photo), { useTArray: true, formatAsRGBA: false });
  fs.writeFileSync(path.join(outDir, `${name}.rgb`), img.data);
  const t = tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
  const faces = await faceapi.detectAllFaces(t, new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 }));
  t.dispose();
  results[name] = {
    width: img.width,
    height: img.height,
    backend: tf.getBackend(),
    faces: faces.map((d) => ({ x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height, score: d.score })),
  };
}
fs.writeFileSync(path.join(outDir, 'reference.json'), JSON.stringify(results, null, 1));
