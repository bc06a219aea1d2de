// Package assets embeds the files CardPOS ships inside its binary: the icon, the CJK font and the
// translations. It imports no Fyne, so the core (CLI, i18n) can use it without a display; ui/
// wraps these bytes into Fyne resources.
package assets

import "embed"

// Icon is the application icon, a 512×512 PNG.
//
//go:embed icon/icon.png
var Icon []byte

// FontRegular is WenQuanYi Micro Hei (文泉驿微米黑), one face extracted from the Debian .ttc:
// TrueType outlines, CJK plus Latin digits and letters, Apache-2.0 (see fonts/LICENSE).
//
//go:embed fonts/wqy-microhei.ttf
var FontRegular []byte

// Translations holds one flat JSON file per room and language, named ROOM.LANG.json
// (for example redeem.zh-CN.json), in go-i18n's format with {{.Name}} templates.
//
//go:embed translations/*.json
var Translations embed.FS

// TranslationsDir is the folder inside Translations.
const TranslationsDir = "translations"
