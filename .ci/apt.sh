# Sourced by .ci/setup.d scripts: apt_install PACKAGE... installs Debian
# packages quietly, with sudo when not running as root, updating the package
# lists once per CI run.
apt_install() {
	local sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		sudo="sudo"
	fi
	export DEBIAN_FRONTEND=noninteractive
	if [ ! -e /tmp/.flumego-apt-updated ]; then
		$sudo apt-get update -qq
		touch /tmp/.flumego-apt-updated
	fi
	$sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
