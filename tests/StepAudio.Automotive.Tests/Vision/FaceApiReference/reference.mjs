// face-api itself on JPEG photos, on TensorFlow.js's pure-JS CPU backend: the tiny face detector, and, when
// their weights sit beside its manifest, the 68-point tiny landmark net and the expression net (face-api's
// own chain: landmarks on the detection box, expressions on the landmarks' aligned box).
// Usage: node reference.mjs <out-dir> <tiny_face_detector weights-manifest.json> <photo.jpg>...
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

function load(net, manifestFile) {
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  const shard = fs.readFileSync(path.join(path.dirname(manifestFile), manifest[0].paths[0]));
  net.loadFromWeightMap(tf.io.decodeWeights(shard.buffer.slice(shard.byteOffset, shard.byteOffset + shard.length), manifest[0].weights));
}
load(faceapi.nets.tinyFaceDetector, manifestPath);
const beside = (name) => path.join(path.dirname(manifestPath), name);
const withFaceNets = fs.existsSync(beside('face_landmark_68_tiny_model-weights_manifest.json'))
  && fs.existsSync(beside('face_expression_model-weights_manifest.json'));
if (withFaceNets) {
  load(faceapi.nets.faceLandmark68TinyNet, beside('face_landmark_68_tiny_model-weights_manifest.json'));
  load(faceapi.nets.faceExpressionNet, beside('face_expression_model-weights_manifest.json'));
}
const box = (b) => ({ x: b.x, y: b.y, width: b.width, height: b.height });

const results = {};
for (const photo of photos) {
  const name = path.basename(photo, '.jpg');
  const img = jpeg.decode(fs.readFileSync(photo), { useTArray: true, formatAsRGBA: false });
  fs.writeFileSync(path.join(outDir, `${name}.rgb`), img.data);
  const t = tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
  const options = new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 });
  const found = withFaceNets
    ? await faceapi.detectAllFaces(t, options).withFaceLandmarks(true).withFaceExpressions()
    : await faceapi.detectAllFaces(t, options);
  t.dispose();
  const faces = found.map((f) => (withFaceNets
    ? {
      ...box(f.detection.box),
      score: f.detection.score,
      landmarks: f.landmarks.positions.flatMap((p) => [p.x, p.y]),
      aligned: box(f.alignedRect.box),
      expressions: faceapi.FACE_EXPRESSION_LABELS.map((e) => f.expressions[e]),
    }
    : { ...box(f.box), score: f.score }));
  results[name] = {
    width: img.width,
    height: img.height,
    backend: tf.getBackend(),
    faces,
  };
}
fs.writeFileSync(path.join(outDir, 'reference.json'), JSON.stringify(results, null, 1));
