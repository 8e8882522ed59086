; Inno Setup 6 script for the Windows installer (written and reviewed here; built by
; .github/workflows/release.yml on a Windows runner, never on the Linux machine):
;
;   iscc /DAppVersion=0.1.0 packaging\windows\judgepanel.iss
;
; after PyInstaller has made build\pyinstaller\dist\judgepanel\ (JudgePanel.exe, the
; windowed app; judgepanel-cli.exe, the command line) and packaging\icons.py has made
; build\icons\judgepanel.ico. Writes dist\JudgePanel-VERSION-windows-x64-setup.exe.
;
; A judge needs no administrator rights: the default is a per-user install under
; %LOCALAPPDATA%\Programs, and the file types go to HKCU (HKA follows the install
; mode, so an administrator installing for everyone gets HKLM instead).

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z judgepanel.iss
#endif

#define AppName "JudgePanel"
#define AppExe "JudgePanel.exe"
#define CliExe "judgepanel-cli.exe"
#define Root "..\.."

[Setup]
AppId={{6C0F7D52-3E1B-4C8A-9F0E-2B7A4D5E9C31}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=The JudgePanel contributors
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
OutputDir={#Root}\dist
OutputBaseFilename={#AppName}-{#AppVersion}-windows-x64-setup
SetupIconFile={#Root}\build\icons\judgepanel.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
LicenseFile={#Root}\LICENSE
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Signing (see docs/install.md): define a sign tool named "signtool" in the compiler
; (iscc /Ssigntool=...) and uncomment, so the installer and uninstaller are signed too.
;SignTool=signtool

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Root}\build\pyinstaller\dist\judgepanel\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\{#AppName} command line"; Filename: "{cmd}"; Parameters: "/k ""set ""PATH={app};%PATH%"" && {#CliExe} --help"""; WorkingDir: "{userdocs}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; The four file types, each with its own ProgID, icon and open command. The app routes
; by what the file is (judgepanel/ui/main_window.py), and a second launch hands its file
; to the window already open (judgepanel/ui/instance.py).
Root: HKA; Subkey: "Software\Classes\.jpbundle"; ValueType: string; ValueName: ""; ValueData: "JudgePanel.Bundle"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.jpbundle\OpenWithProgids"; ValueType: string; ValueName: "JudgePanel.Bundle"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\JudgePanel.Bundle"; ValueType: string; ValueName: ""; ValueData: "JudgePanel judging bundle"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\JudgePanel.Bundle\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\JudgePanel.Bundle\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""

Root: HKA; Subkey: "Software\Classes\.jpresults"; ValueType: string; ValueName: ""; ValueData: "JudgePanel.Results"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.jpresults\OpenWithProgids"; ValueType: string; ValueName: "JudgePanel.Results"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\JudgePanel.Results"; ValueType: string; ValueName: ""; ValueData: "JudgePanel results file"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\JudgePanel.Results\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\JudgePanel.Results\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""

Root: HKA; Subkey: "Software\Classes\.jpwork"; ValueType: string; ValueName: ""; ValueData: "JudgePanel.Work"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.jpwork\OpenWithProgids"; ValueType: string; ValueName: "JudgePanel.Work"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\JudgePanel.Work"; ValueType: string; ValueName: ""; ValueData: "JudgePanel work file"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\JudgePanel.Work\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\JudgePanel.Work\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""

Root: HKA; Subkey: "Software\Classes\.jpcard"; ValueType: string; ValueName: ""; ValueData: "JudgePanel.Card"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.jpcard\OpenWithProgids"; ValueType: string; ValueName: "JudgePanel.Card"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\JudgePanel.Card"; ValueType: string; ValueName: ""; ValueData: "JudgePanel identity card"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\JudgePanel.Card\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\JudgePanel.Card\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""

; "Open with" knows the app and the types it takes.
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "{#AppName}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".jpbundle"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".jpresults"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".jpwork"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".jpcard"; ValueData: ""

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
