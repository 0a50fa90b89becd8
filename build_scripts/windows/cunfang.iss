; 村访通 CunFang — Inno Setup script for the Windows installer (per user, no administrator rights).
;
; build_scripts/build.py runs it after the PyInstaller onedir build, passing the version:
;   ISCC.exe /DAppVersion=0.1.0 /DAppNumericVersion=0.1.0 /DBundleDir=..\..\dist\cunfang /DOutputDir=..\..\dist cunfang.iss
; and writes dist\cunfang-VERSION-setup.exe. By hand, from this folder: ISCC.exe /DAppVersion=0.1.0 cunfang.iss
;
; The installer speaks Simplified Chinese. ChineseSimplified.isl ships with Inno Setup 7; for Inno Setup 6 it is an
; unofficial translation: put it beside this script (see build_scripts/README.md, "Windows installer").
;
; Uninstalling removes the program only. The user's data (the encrypted database, settings, logs) lives in
; %LOCALAPPDATA%\CunFang (app/paths.py) and is kept, unless the user ticks the box to remove it as well.
; This file is saved as UTF-8 with a byte order mark, which Inno Setup needs to read the Chinese in it.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef AppNumericVersion
  #define AppNumericVersion AppVersion
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\cunfang"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#define AppExe "cunfang.exe"
; where app/paths.py keeps the data on Windows: platformdirs' user_data_dir("CunFang")
#define DataDir "{localappdata}\CunFang"

#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
  #define ChineseMessages "compiler:Languages\ChineseSimplified.isl"
#elif FileExists(AddBackslash(SourcePath) + "ChineseSimplified.isl")
  #define ChineseMessages AddBackslash(SourcePath) + "ChineseSimplified.isl"
#else
  #error ChineseSimplified.isl not found: Inno Setup 6 does not ship it; see build_scripts/README.md
#endif

[Setup]
; the AppId identifies the program for upgrades and uninstalling: never change it
AppId={{6F0B7E52-3C1D-4E8A-9B57-2D4C8A1E9F30}
AppName=村访通
AppVersion={#AppVersion}
AppVerName=村访通 {#AppVersion}
AppPublisher=村访通 CunFang
AppComments=乡镇民政探访与入户调查（离线优先）
VersionInfoVersion={#AppNumericVersion}
VersionInfoProductName=村访通
VersionInfoDescription=村访通 安装程序
; per user: installs into %LOCALAPPDATA%\Programs\CunFang, Start menu and desktop of this user, no UAC prompt
PrivilegesRequired=lowest
DefaultDirName={autopf}\CunFang
DefaultGroupName=村访通
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=cunfang-{#AppVersion}-setup
SetupIconFile=..\icons\cunfang.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName=村访通
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
CloseApplications=yes

[Languages]
Name: "chinesesimplified"; MessagesFile: "{#ChineseMessages}"

[Tasks]
Name: "desktopicon"; Description: "在桌面上创建村访通的快捷方式"; GroupDescription: "快捷方式："

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\村访通"; Filename: "{app}\{#AppExe}"; Comment: "乡镇民政探访与入户调查"
Name: "{autodesktop}\村访通"; Filename: "{app}\{#AppExe}"; Comment: "乡镇民政探访与入户调查"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "立即启动村访通"; Flags: nowait postinstall skipifsilent

[Code]
var
  RemoveUserData: Boolean;

{ A small window before uninstalling: the data is kept unless the box is ticked (and the choice confirmed). }
function AskAboutUserData(): Boolean;
var
  Form: TSetupForm;
  Note: TNewStaticText;
  Box: TNewCheckBox;
  OkButton, CancelButton: TNewButton;
begin
#if Ver >= EncodeVer(6, 6, 0)
  Form := CreateCustomForm(ScaleX(440), ScaleY(190), False, True);
#else
  Form := CreateCustomForm();
  Form.ClientWidth := ScaleX(440);
  Form.ClientHeight := ScaleY(190);
#endif
  try
    Form.Caption := '卸载村访通';

    Note := TNewStaticText.Create(Form);
    Note.Parent := Form;
    Note.Left := ScaleX(16);
    Note.Top := ScaleY(16);
    Note.Width := Form.ClientWidth - ScaleX(32);
    Note.Height := ScaleY(72);
    Note.AutoSize := False;
    Note.WordWrap := True;
    Note.Caption := '将删除村访通程序。您的数据（加密的记录、设置和日志）在 ' +
      ExpandConstant('{#DataDir}') + '，默认保留：重新安装后可以继续使用。';

    Box := TNewCheckBox.Create(Form);
    Box.Parent := Form;
    Box.Left := ScaleX(16);
    Box.Top := Note.Top + Note.Height + ScaleY(8);
    Box.Width := Form.ClientWidth - ScaleX(32);
    Box.Height := ScaleY(20);
    Box.Caption := '同时删除我的所有数据（无法恢复）';
    Box.Checked := False;

    OkButton := TNewButton.Create(Form);
    OkButton.Parent := Form;
    OkButton.Caption := '卸载';
    OkButton.Width := ScaleX(80);
    OkButton.Height := ScaleY(26);
    OkButton.Left := Form.ClientWidth - ScaleX(80 + 8 + 80 + 16);
    OkButton.Top := Form.ClientHeight - ScaleY(26 + 14);
    OkButton.ModalResult := mrOk;
    OkButton.Default := True;

    CancelButton := TNewButton.Create(Form);
    CancelButton.Parent := Form;
    CancelButton.Caption := '取消';
    CancelButton.Width := ScaleX(80);
    CancelButton.Height := ScaleY(26);
    CancelButton.Left := Form.ClientWidth - ScaleX(80 + 16);
    CancelButton.Top := OkButton.Top;
    CancelButton.ModalResult := mrCancel;
    CancelButton.Cancel := True;

    Result := Form.ShowModal() = mrOk;
    RemoveUserData := Result and Box.Checked;
    if RemoveUserData then
      RemoveUserData := MsgBox('确定要删除 ' + ExpandConstant('{#DataDir}') +
        ' 中的全部数据吗？所有未同步的记录都会丢失，无法恢复。', mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES;
  finally
    Form.Free();
  end;
end;

function InitializeUninstall(): Boolean;
begin
  RemoveUserData := False;
  if UninstallSilent() then
    Result := True  { a silent uninstall (an upgrade script, an administrator) never deletes data }
  else
    Result := AskAboutUserData();
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and RemoveUserData then
  begin
    DelTree(ExpandConstant('{#DataDir}'), True, True, True);
    { the window position QSettings keeps (organisation CunFang) }
    RegDeleteKeyIncludingSubkeys(HKEY_CURRENT_USER, 'Software\CunFang');
  end;
end;
