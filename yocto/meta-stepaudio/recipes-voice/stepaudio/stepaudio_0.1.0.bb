SUMMARY = "StepAudio in-vehicle multimodal voice service"
DESCRIPTION = "Cabin microphone array and IR camera in; intents and escalations out over MQTT. \
Runs as a hardened systemd unit (Type=notify, watchdog)."
HOMEPAGE = "https://example.invalid/stepaudio"
LICENSE = "CLOSED"

SRC_URI = "git://git.example.invalid/stepaudio/StepAudio.Automotive.git;protocol=https;branch=main"
# Pin the release commit here; AUTOREV only for development builds.
SRCREV = "${AUTOREV}"
PV = "0.1.0+git${SRCPV}"
S = "${WORKDIR}/git"

# The .NET SDK for the build host comes from meta-dotnet-core; ONNX Runtime with the TensorRT
# provider from the distro (meta-tegra-community's recipe, pinned to a new enough version): the
# native library must offer the managed package's API level (Microsoft.ML.OnnxRuntime 1.31), so an
# older one fails the image's rootfs step here instead of the service at start.
DEPENDS = "dotnet-native"
RDEPENDS:${PN} = "alsa-lib libgpiod onnxruntime (>= 1.31) tensorrt-core zlib libstdc++ ca-certificates stepaudio-models"

inherit systemd useradd

DOTNET_RID:aarch64 = "linux-arm64"
DOTNET_RID:x86-64 = "linux-x64"

# NuGet restore needs the network during compile.
do_compile[network] = "1"
do_compile() {
    export DOTNET_CLI_TELEMETRY_OPTOUT=1
    export DOTNET_CLI_HOME="${WORKDIR}/dotnet-home"
    dotnet publish ${S}/src/StepAudio.Automotive.Service -c Release -r ${DOTNET_RID} \
        --self-contained -p:PublishReadyToRun=true -p:OnnxRuntimeFromSystem=true -o ${B}/publish
}

do_install() {
    install -d ${D}/opt/stepaudio
    cp -R --no-preserve=ownership ${B}/publish/. ${D}/opt/stepaudio/
    chmod 0755 ${D}/opt/stepaudio/stepaudio

    install -D -m 0644 ${S}/deploy/systemd/stepaudio.service ${D}${systemd_system_unitdir}/stepaudio.service
    install -D -m 0644 ${S}/deploy/sysusers.d/stepaudio.conf ${D}${nonarch_libdir}/sysusers.d/stepaudio.conf
    install -D -m 0644 ${S}/deploy/tmpfiles.d/stepaudio.conf ${D}${nonarch_libdir}/tmpfiles.d/stepaudio.conf
    install -D -m 0644 ${S}/deploy/udev/90-stepaudio.rules ${D}${nonarch_base_libdir}/udev/rules.d/90-stepaudio.rules

    install -d ${D}${sysconfdir}/stepaudio/cabins
    install -m 0644 ${S}/deploy/cabins/*.json ${D}${sysconfdir}/stepaudio/cabins/
    # Head-unit configuration: TensorRT, CUDA, CPU providers; engine caches in the unit's CacheDirectory.
    install -m 0644 ${S}/deploy/config/*.json ${D}${sysconfdir}/stepaudio/

    # Our own trained heads (default build) in the installed model directory (StepAudio__Models__Cache).
    install -d ${D}${datadir}/stepaudio/models/trained
    install -m 0644 ${S}/models/trained/*.onnx ${S}/models/trained/*.json ${D}${datadir}/stepaudio/models/trained/
}

USERADD_PACKAGES = "${PN}"
GROUPADD_PARAM:${PN} = "--system gpio; --system stepaudio"
USERADD_PARAM:${PN} = "--system --gid stepaudio --groups audio,video,gpio --home-dir /var/lib/stepaudio --no-create-home --shell /sbin/nologin stepaudio"

SYSTEMD_SERVICE:${PN} = "stepaudio.service"
SYSTEMD_AUTO_ENABLE = "enable"

FILES:${PN} += "/opt/stepaudio ${datadir}/stepaudio/models/trained ${nonarch_libdir}/sysusers.d ${nonarch_libdir}/tmpfiles.d ${nonarch_base_libdir}/udev/rules.d"
CONFFILES:${PN} = "${sysconfdir}/stepaudio/10-head-unit.json ${sysconfdir}/stepaudio/cabins/sedan-console-circular.json ${sysconfdir}/stepaudio/cabins/sedan-headliner-linear.json"

# The self-contained .NET publish carries prebuilt, already-stripped native libraries.
INSANE_SKIP:${PN} = "already-stripped ldflags textrel file-rdeps"
INHIBIT_PACKAGE_STRIP = "1"
INHIBIT_PACKAGE_DEBUG_SPLIT = "1"
