<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CaptionView</name>
    <message>
        <location filename="../transcribe/caption_view.py" line="23"/>
        <source>Live captions: final words, then (dimmed) what is heard but not final yet</source>
        <translation>实时字幕：已确定的词，其后（淡色）是已听到但尚未确定的内容</translation>
    </message>
    <message>
        <location filename="../transcribe/caption_view.py" line="29"/>
        <source>Listening… speak, and the words appear here.</source>
        <translation>正在聆听……请说话，文字会显示在这里。</translation>
    </message>
</context>
<context>
    <name>ComposeWorkspace</name>
    <message>
        <location filename="../compose/workspace.py" line="56"/>
        <source>Playback: %1</source>
        <translation>播放：%1</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="66"/>
        <source>Seed:</source>
        <translation>种子：</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="69"/>
        <source>A bundled seed, or one you opened recently</source>
        <translation>内置种子，或最近打开的文件</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="73"/>
        <source>Open MIDI…</source>
        <translation>打开 MIDI…</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="74"/>
        <source>Open a seed MIDI file (Ctrl+O)</source>
        <translation>打开种子 MIDI 文件 (Ctrl+O)</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="88"/>
        <source>Continuation</source>
        <translation>续写</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="94"/>
        <source>&amp;Generate</source>
        <translation>生成(&amp;G)</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="96"/>
        <source>Continue the seed with the music model (Ctrl+Return)</source>
        <translation>用音乐模型续写种子 (Ctrl+Return)</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="99"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="100"/>
        <source>Stop the generation (Esc)</source>
        <translation>停止生成 (Esc)</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="108"/>
        <source>Look inside the LSTM</source>
        <translation>查看 LSTM 内部</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="109"/>
        <source>Show the model&apos;s gates and cell states over this take</source>
        <translation>显示模型在这段续写上的门控与细胞状态</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="114"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="117"/>
        <source>Export MIDI…</source>
        <translation>导出 MIDI…</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="118"/>
        <source>Save the selected take as a MIDI file (Ctrl+E)</source>
        <translation>将所选片段保存为 MIDI 文件 (Ctrl+E)</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="121"/>
        <source>Export WAV…</source>
        <translation>导出 WAV…</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="122"/>
        <source>Render the selected take to audio (Ctrl+Shift+E)</source>
        <translation>将所选片段渲染为音频 (Ctrl+Shift+E)</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="127"/>
        <source>Tip: drag a take from the lists below into your DAW or file manager.</source>
        <translation>提示：可将下方列表中的片段拖到 DAW 或文件管理器。</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="142"/>
        <source>Play or pause (Space)</source>
        <translation>播放或暂停 (空格)</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="146"/>
        <source>Stop and go back to the start</source>
        <translation>停止并回到开头</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="157"/>
        <source>Zoom out (Ctrl+-)</source>
        <translation>缩小 (Ctrl+-)</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="158"/>
        <source>Zoom in (Ctrl++)</source>
        <translation>放大 (Ctrl++)</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="159"/>
        <source>Fit</source>
        <translation>适应</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="156"/>
        <source>Fit the whole piece (Ctrl+0)</source>
        <translation>显示整首 (Ctrl+0)</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="167"/>
        <source>Pick a bundled seed or open a MIDI file to begin.</source>
        <translation>选择内置种子或打开 MIDI 文件以开始。</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="172"/>
        <source>Variations</source>
        <translation>变体</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="175"/>
        <source>Click to audition; drag out as a .mid file</source>
        <translation>单击试听；拖出即为 .mid 文件</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="178"/>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="181"/>
        <source>Every take of this session; drag out as a .mid file</source>
        <translation>本次会话的所有片段；拖出即为 .mid 文件</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="204"/>
        <source>— choose a seed —</source>
        <translation>— 选择种子 —</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="206"/>
        <source>Bundled: %1</source>
        <translation>内置：%1</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="220"/>
        <source>Open a seed MIDI file</source>
        <translation>打开种子 MIDI 文件</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="225"/>
        <source>Cannot open this MIDI file</source>
        <translation>无法打开此 MIDI 文件</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="239"/>
        <source>%1 · %2 s · %3 notes · %4</source>
        <translation>%1 · %2 秒 · %3 个音符 · %4</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="252"/>
        <source>No seed</source>
        <translation>没有种子</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="252"/>
        <source>Pick a bundled seed or open a MIDI file first.</source>
        <translation>请先选择内置种子或打开 MIDI 文件。</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="259"/>
        <source>Check the options</source>
        <translation>请检查选项</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="267"/>
        <source>Generation failed</source>
        <translation>生成失败</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="295"/>
        <source>Take %1 · %2 notes</source>
        <translation>片段 %1 · %2 个音符</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="296"/>
        <source>RNG seed %1 · key %2 · T %3 · top-p %4</source>
        <translation>随机种子 %1 · 调性 %2 · 温度 %3 · top-p %4</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="299"/>
        <source>Ended early: the token limit was reached.</source>
        <translation>提前结束：已达到事件数上限。</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="302"/>
        <source>take %1/%2</source>
        <translation>片段 %1/%2</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="305"/>
        <source>Generated %1 variation(s) with %2.</source>
        <translation>已用 %2 生成 %1 个变体。</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="341"/>
        <source>Export MIDI</source>
        <translation>导出 MIDI</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="346"/>
        <location filename="../compose/workspace.py" line="355"/>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="351"/>
        <source>Export WAV</source>
        <translation>导出 WAV</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="351"/>
        <source>WAV audio (*.wav)</source>
        <translation>WAV 音频 (*.wav)</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="360"/>
        <source>Wrote %1</source>
        <translation>已写入 %1</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="387"/>
        <source>Cannot play</source>
        <translation>无法播放</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="393"/>
        <source>via %1</source>
        <translation>使用 %1</translation>
    </message>
    <message>
        <location filename="../compose/workspace.py" line="419"/>
        <source>Cannot look inside the LSTM</source>
        <translation>无法查看 LSTM 内部</translation>
    </message>
</context>
<context>
    <name>FileQueue</name>
    <message>
        <location filename="../transcribe/file_queue.py" line="36"/>
        <source>Drop audio files here, or use Add files…</source>
        <translation>将音频文件拖到这里，或使用“添加文件…”</translation>
    </message>
    <message>
        <location filename="../transcribe/file_queue.py" line="38"/>
        <source>waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <location filename="../transcribe/file_queue.py" line="38"/>
        <source>transcribing</source>
        <translation>转写中</translation>
    </message>
    <message>
        <location filename="../transcribe/file_queue.py" line="39"/>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../transcribe/file_queue.py" line="39"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../transcribe/file_queue.py" line="39"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
</context>
<context>
    <name>Heatmap</name>
    <message>
        <location filename="../lstm/heatmap.py" line="163"/>
        <source>%1 · unit %2 · step %3 (%4 s)
value %5</source>
        <translation>%1 · 单元 %2 · 第 %3 步 (%4 秒)
数值 %5</translation>
    </message>
</context>
<context>
    <name>InputChoice</name>
    <message>
        <location filename="../transcribe/inputs.py" line="34"/>
        <source>The microphone that Record and Live captions listen to</source>
        <translation>录音和实时字幕使用的麦克风</translation>
    </message>
    <message>
        <location filename="../transcribe/inputs.py" line="49"/>
        <source>System default</source>
        <translation>系统默认</translation>
    </message>
</context>
<context>
    <name>InsideWorkspace</name>
    <message>
        <location filename="../lstm/view.py" line="41"/>
        <source>Nothing to show yet</source>
        <translation>暂无内容</translation>
    </message>
    <message>
        <location filename="../lstm/view.py" line="44"/>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <location filename="../lstm/view.py" line="46"/>
        <source>Which LSTM layer (1 is nearest the input)</source>
        <translation>哪一层 LSTM（1 最靠近输入）</translation>
    </message>
    <message>
        <location filename="../lstm/view.py" line="48"/>
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <location filename="../lstm/view.py" line="51"/>
        <source>forward</source>
        <translation>正向</translation>
    </message>
    <message>
        <location filename="../lstm/view.py" line="51"/>
        <source>backward</source>
        <translation>反向</translation>
    </message>
    <message>
        <location filename="../lstm/view.py" line="52"/>
        <source>A bidirectional layer reads the recording both ways</source>
        <translation>双向层从两个方向读取录音</translation>
    </message>
    <message>
        <location filename="../lstm/view.py" line="54"/>
        <source>Units</source>
        <translation>单元</translation>
    </message>
    <message>
        <location filename="../lstm/view.py" line="57"/>
        <source>The first unit shown</source>
        <translation>显示的第一个单元</translation>
    </message>
    <message>
        <location filename="../lstm/view.py" line="63"/>
        <source>How many units to show</source>
        <translation>显示多少个单元</translation>
    </message>
    <message>
        <location filename="../lstm/view.py" line="66"/>
        <source>in order</source>
        <translation>按编号</translation>
    </message>
    <message>
        <location filename="../lstm/view.py" line="66"/>
        <source>most active first</source>
        <translation>最活跃优先</translation>
    </message>
    <message>
        <location filename="../lstm/view.py" line="67"/>
        <source>Show units by number, or those whose cell state changes most</source>
        <translation>按编号显示，或显示细胞状态变化最大的单元</translation>
    </message>
    <message>
        <location filename="../lstm/view.py" line="76"/>
        <source>Input gate</source>
        <translation>输入门</translation>
    </message>
    <message>
        <location filename="../lstm/view.py" line="76"/>
        <source>Forget gate</source>
        <translation>遗忘门</translation>
    </message>
    <message>
        <location filename="../lstm/view.py" line="76"/>
        <source>Output gate</source>
        <translation>输出门</translation>
    </message>
    <message>
        <location filename="../lstm/view.py" line="77"/>
        <source>Cell state</source>
        <translation>细胞状态</translation>
    </message>
    <message>
        <location filename="../lstm/view.py" line="85"/>
        <source>Generate a take in Compose, or transcribe a file, then press “Look inside the LSTM”. The values come from the real model run.</source>
        <translation>在“作曲”中生成片段或转写一个文件，然后点击“查看 LSTM 内部”。数值来自真实的模型运行。</translation>
    </message>
    <message>
        <location filename="../lstm/view.py" line="116"/>
        <source>%1 · %2 steps · %3 layers × %4 units</source>
        <translation>%1 · %2 步 · %3 层 × %4 单元</translation>
    </message>
</context>
<context>
    <name>JobHost</name>
    <message>
        <location filename="../jobhost.py" line="71"/>
        <source>Something went wrong</source>
        <translation>出错了</translation>
    </message>
    <message>
        <location filename="../jobhost.py" line="76"/>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
</context>
<context>
    <name>LiveInsideView</name>
    <message>
        <location filename="../transcribe/live_inside.py" line="28"/>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <location filename="../transcribe/live_inside.py" line="30"/>
        <source>Which layer of the streaming LSTM to watch</source>
        <translation>要观察流式 LSTM 的哪一层</translation>
    </message>
    <message>
        <location filename="../transcribe/live_inside.py" line="34"/>
        <source>most active first</source>
        <translation>最活跃优先</translation>
    </message>
    <message>
        <location filename="../transcribe/live_inside.py" line="34"/>
        <source>in order</source>
        <translation>按编号</translation>
    </message>
    <message>
        <location filename="../transcribe/live_inside.py" line="35"/>
        <source>The units whose cell state has varied most since you started, or the first ones</source>
        <translation>自开始以来细胞状态变化最大的单元，或最前面的单元</translation>
    </message>
    <message>
        <location filename="../transcribe/live_inside.py" line="40"/>
        <source>Input gate</source>
        <translation>输入门</translation>
    </message>
    <message>
        <location filename="../transcribe/live_inside.py" line="40"/>
        <source>Forget gate</source>
        <translation>遗忘门</translation>
    </message>
    <message>
        <location filename="../transcribe/live_inside.py" line="40"/>
        <source>Cell state</source>
        <translation>细胞状态</translation>
    </message>
    <message>
        <location filename="../transcribe/live_inside.py" line="51"/>
        <source>Listening live. Inside the streaming LSTM as it hears you: the gates and cell state of %1 of its units over the last %2 s.</source>
        <translation>正在实时聆听。流式 LSTM 听你说话时的内部：其 %1 个单元在最近 %2 秒内的门和细胞状态。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main_window.py" line="56"/>
        <source>Compose</source>
        <translation>作曲</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="58"/>
        <source>Transcribe</source>
        <translation>转写</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="60"/>
        <source>Inside the LSTM</source>
        <translation>LSTM 内部</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="75"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="81"/>
        <source>Device: </source>
        <translation>设备：</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="83"/>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="83"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="83"/>
        <source>GPU (CUDA)</source>
        <translation>GPU (CUDA)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="86"/>
        <source>Where the models run; Auto uses a GPU when there is one</source>
        <translation>模型在哪里运行；“自动”在有 GPU 时使用 GPU</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="89"/>
        <source>Checking for a GPU…</source>
        <translation>正在检测 GPU…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="107"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="108"/>
        <source>&amp;Open seed MIDI…</source>
        <translation>打开种子 MIDI(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="109"/>
        <source>Open a MIDI file to continue</source>
        <translation>打开要续写的 MIDI 文件</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="110"/>
        <source>&amp;Add audio files…</source>
        <translation>添加音频文件(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="111"/>
        <source>Add audio files to the transcription queue</source>
        <translation>将音频文件加入转写队列</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="112"/>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="115"/>
        <source>Load &amp;music model…</source>
        <translation>加载音乐模型(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="116"/>
        <source>Use another music model folder</source>
        <translation>使用其他音乐模型文件夹</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="117"/>
        <source>Load &amp;speech model…</source>
        <translation>加载语音模型(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="118"/>
        <source>Use a speech model folder</source>
        <translation>使用语音模型文件夹</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="119"/>
        <source>Use the &amp;default models</source>
        <translation>使用默认模型(&amp;D)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="121"/>
        <source>&amp;Preferences…</source>
        <translation>首选项(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="122"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="123"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="124"/>
        <source>&amp;Compose</source>
        <translation>作曲(&amp;C)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="124"/>
        <source>&amp;Transcribe</source>
        <translation>转写(&amp;T)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="124"/>
        <source>&amp;Inside the LSTM</source>
        <translation>LSTM 内部(&amp;I)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="127"/>
        <source>&amp;Light theme</source>
        <translation>浅色主题(&amp;L)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="128"/>
        <source>&amp;Dark theme</source>
        <translation>深色主题(&amp;D)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="129"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="130"/>
        <source>&amp;User guide</source>
        <translation>用户指南(&amp;U)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="131"/>
        <source>&amp;About SeqStudio</source>
        <translation>关于 SeqStudio(&amp;A)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="148"/>
        <source>Speech: none (%1)</source>
        <translation>语音：无（%1）</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="148"/>
        <source>not trained yet</source>
        <translation>尚未训练</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="153"/>
        <source>%1 (loading…)</source>
        <translation>%1（加载中…）</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="154"/>
        <source>%1 (not loaded)</source>
        <translation>%1（未加载）</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="155"/>
        <source>%1 (failed)</source>
        <translation>%1（失败）</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="158"/>
        <source>Music: %1</source>
        <translation>音乐：%1</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="160"/>
        <source>Speech: %1</source>
        <translation>语音：%1</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="162"/>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="164"/>
        <source> · no GPU</source>
        <translation> · 无 GPU</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="165"/>
        <source>Device: %1</source>
        <translation>设备：%1</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="170"/>
        <source>Device check failed</source>
        <translation>设备检测失败</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="180"/>
        <source>Cannot load the %1 model</source>
        <translation>无法加载 %1 模型</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="188"/>
        <source>No GPU: %1</source>
        <translation>无 GPU：%1</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="217"/>
        <source>(none yet)</source>
        <translation>（暂无）</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="224"/>
        <source>Choose a %1 model folder</source>
        <translation>选择 %1 模型文件夹</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="240"/>
        <source>still checking</source>
        <translation>仍在检测</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="249"/>
        <source>The new language takes effect at the next start.</source>
        <translation>新语言将在下次启动时生效。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="264"/>
        <source>About SeqStudio</source>
        <translation>关于 SeqStudio</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="265"/>
        <source>&lt;b&gt;SeqStudio %1&lt;/b&gt;&lt;p&gt;Stacked LSTMs that compose music and transcribe speech, offline, on your CPU or GPU.&lt;/p&gt;</source>
        <translation>&lt;b&gt;SeqStudio %1&lt;/b&gt;&lt;p&gt;堆叠 LSTM：离线作曲与语音转写，可在 CPU 或 GPU 上运行。&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="276"/>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="282"/>
        <source>Waiting for %1 to stop…</source>
        <translation>正在等待 %1 停止…</translation>
    </message>
</context>
<context>
    <name>OptionsForm</name>
    <message>
        <location filename="../compose/controls.py" line="23"/>
        <source>How long the continuation lasts, in seconds</source>
        <translation>续写的长度（秒）</translation>
    </message>
    <message>
        <location filename="../compose/controls.py" line="24"/>
        <source>&amp;Length</source>
        <translation>长度(&amp;L)</translation>
    </message>
    <message>
        <location filename="../compose/controls.py" line="27"/>
        <source>Higher is more adventurous; 0 always picks the most likely event</source>
        <translation>越高越大胆；0 总是选择最可能的事件</translation>
    </message>
    <message>
        <location filename="../compose/controls.py" line="28"/>
        <source>&amp;Temperature</source>
        <translation>温度(&amp;T)</translation>
    </message>
    <message>
        <location filename="../compose/controls.py" line="31"/>
        <source>Sample only from the most likely events that together hold this much probability (1 = off)</source>
        <translation>只从累计概率达到该值的最可能事件中采样（1 = 关闭）</translation>
    </message>
    <message>
        <location filename="../compose/controls.py" line="33"/>
        <source>Top-&amp;p</source>
        <translation>Top-&amp;p</translation>
    </message>
    <message>
        <location filename="../compose/controls.py" line="38"/>
        <source>How many continuations to write at once, to compare side by side</source>
        <translation>一次生成多少个续写，便于并排比较</translation>
    </message>
    <message>
        <location filename="../compose/controls.py" line="39"/>
        <source>&amp;Variations</source>
        <translation>变体数(&amp;V)</translation>
    </message>
    <message>
        <location filename="../compose/controls.py" line="42"/>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <location filename="../compose/controls.py" line="44"/>
        <source>A fresh RNG seed each time; untick to repeat a take exactly</source>
        <translation>每次使用新的随机种子；取消勾选可精确重现</translation>
    </message>
    <message>
        <location filename="../compose/controls.py" line="48"/>
        <source>The same seed, model and options give the same notes</source>
        <translation>相同的种子、模型和选项会得到相同的音符</translation>
    </message>
    <message>
        <location filename="../compose/controls.py" line="53"/>
        <source>RNG seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location filename="../compose/controls.py" line="55"/>
        <source>Keep the seed&apos;s key</source>
        <translation>保持种子的调性</translation>
    </message>
    <message>
        <location filename="../compose/controls.py" line="57"/>
        <source>New notes stay in the key estimated from the seed</source>
        <translation>新音符保持在从种子估计的调性内</translation>
    </message>
    <message>
        <location filename="../compose/controls.py" line="58"/>
        <source>&amp;Key lock</source>
        <translation>锁定调性(&amp;K)</translation>
    </message>
    <message>
        <location filename="../compose/controls.py" line="61"/>
        <source>Steer</source>
        <translation>引导</translation>
    </message>
    <message>
        <location filename="../compose/controls.py" line="63"/>
        <source> notes/s</source>
        <translation> 音符/秒</translation>
    </message>
    <message>
        <location filename="../compose/controls.py" line="64"/>
        <source>Steer towards this many new notes per second</source>
        <translation>引导到每秒约这么多个新音符</translation>
    </message>
    <message>
        <location filename="../compose/controls.py" line="69"/>
        <source>Density</source>
        <translation>密度</translation>
    </message>
</context>
<context>
    <name>PianoRoll</name>
    <message>
        <location filename="../compose/piano_roll.py" line="200"/>
        <source>continuation →</source>
        <translation>续写 →</translation>
    </message>
    <message>
        <location filename="../compose/piano_roll.py" line="202"/>
        <source>← seed</source>
        <translation>← 种子</translation>
    </message>
    <message>
        <location filename="../compose/piano_roll.py" line="312"/>
        <source>drums</source>
        <translation>鼓</translation>
    </message>
    <message>
        <location filename="../compose/piano_roll.py" line="313"/>
        <source>continuation</source>
        <translation>续写</translation>
    </message>
    <message>
        <location filename="../compose/piano_roll.py" line="313"/>
        <source>seed</source>
        <translation>种子</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../settings_dialog.py" line="13"/>
        <source>Preferences</source>
        <translation>首选项</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="18"/>
        <location filename="../settings_dialog.py" line="23"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="21"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="23"/>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="23"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="26"/>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="28"/>
        <source>Automatic (GPU when present)</source>
        <translation>自动（有 GPU 时使用 GPU）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="28"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="28"/>
        <source>GPU (CUDA)</source>
        <translation>GPU (CUDA)</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="36"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="38"/>
        <source>A new language takes effect when SeqStudio starts again.</source>
        <translation>新语言将在 SeqStudio 重新启动时生效。</translation>
    </message>
</context>
<context>
    <name>SignalView</name>
    <message>
        <location filename="../transcribe/signal_view.py" line="94"/>
        <source>wave</source>
        <translation>波形</translation>
    </message>
    <message>
        <location filename="../transcribe/signal_view.py" line="94"/>
        <source>mel</source>
        <translation>梅尔</translation>
    </message>
</context>
<context>
    <name>TranscribeWorkspace</name>
    <message>
        <location filename="../transcribe/workspace.py" line="98"/>
        <source>Recording failed</source>
        <translation>录音失败</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="122"/>
        <source>Add files…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="123"/>
        <source>Add audio files to the queue (Ctrl+Shift+O)</source>
        <translation>将音频文件加入队列 (Ctrl+Shift+O)</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="127"/>
        <source>Remove the selected file from the queue (Delete)</source>
        <translation>从队列中移除所选文件 (Delete)</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="134"/>
        <location filename="../transcribe/workspace.py" line="531"/>
        <source>● Record</source>
        <translation>● 录音</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="261"/>
        <source>Record from the microphone, then transcribe the recording</source>
        <translation>从麦克风录音，然后转写录音</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="259"/>
        <source>Recording is unavailable: %1</source>
        <translation>无法录音：%1</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="137"/>
        <location filename="../transcribe/workspace.py" line="656"/>
        <source>◉ Live captions</source>
        <translation>◉ 实时字幕</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="149"/>
        <source>&amp;Transcribe</source>
        <translation>转写(&amp;T)</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="153"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="154"/>
        <source>Stop transcribing (Esc)</source>
        <translation>停止转写 (Esc)</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="170"/>
        <source>Play or pause (Space)</source>
        <translation>播放或暂停 (空格)</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="178"/>
        <source>Look inside the LSTM</source>
        <translation>查看 LSTM 内部</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="179"/>
        <source>Show the speech model&apos;s gates and cell states over this file</source>
        <translation>显示语音模型在此文件上的门控与细胞状态</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="185"/>
        <source>Add or drop audio files to begin. You can view and play them even without a speech model.</source>
        <translation>添加或拖入音频文件以开始。即使没有语音模型，也可以查看和播放。</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="208"/>
        <source>Plain text, SubRip subtitles, WebVTT subtitles or JSON with word times</source>
        <translation>纯文本、SubRip 字幕、WebVTT 字幕或带词时间的 JSON</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="211"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="212"/>
        <source>Save the transcript, with your edits (Ctrl+E)</source>
        <translation>保存转写稿（含你的修改）(Ctrl+E)</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="235"/>
        <source>No speech model: %1. Load a trained speech model folder with File ▸ Load speech model… to transcribe. Opening, viewing and playing audio work without one.</source>
        <translation>没有语音模型：%1。请通过“文件 ▸ 加载语音模型…”加载已训练的语音模型文件夹后再转写。没有模型也可以打开、查看和播放音频。</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="246"/>
        <source>Transcribe every waiting file (Ctrl+Return)</source>
        <translation>转写所有等待中的文件 (Ctrl+Return)</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="247"/>
        <source>Needs a speech model: %1</source>
        <translation>需要语音模型：%1</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="271"/>
        <source>Live captions are unavailable: %1</source>
        <translation>无法使用实时字幕：%1</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="273"/>
        <source>Caption the microphone as you speak, with the streaming model; the recording and its words then join the queue</source>
        <translation>用流式模型为麦克风中的讲话实时生成字幕；结束后录音及其文字加入队列</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="280"/>
        <source>Add audio files</source>
        <translation>添加音频文件</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="334"/>
        <source>Reading %1…</source>
        <translation>正在读取 %1…</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="344"/>
        <location filename="../transcribe/workspace.py" line="386"/>
        <source>Cannot open this audio file</source>
        <translation>无法打开此音频文件</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="393"/>
        <source>Not transcribed yet.</source>
        <translation>尚未转写。</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="395"/>
        <source>%1 segments · %2 of audio in %3 s</source>
        <translation>%1 个片段 · %2 的音频，用时 %3 秒</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="403"/>
        <source>No speech model</source>
        <translation>没有语音模型</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="420"/>
        <source>Transcription failed</source>
        <translation>转写失败</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="477"/>
        <source>Export transcript</source>
        <translation>导出转写稿</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="487"/>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="489"/>
        <source>Wrote %1</source>
        <translation>已写入 %1</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="524"/>
        <source>No sound: %1; the cursor runs without it.</source>
        <translation>无声音：%1；光标照常移动。</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="536"/>
        <source>■ Stop recording</source>
        <translation>■ 停止录音</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="568"/>
        <location filename="../transcribe/workspace.py" line="583"/>
        <source>Live captions are unavailable</source>
        <translation>无法使用实时字幕</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="586"/>
        <source>Live captions failed</source>
        <translation>实时字幕失败</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="598"/>
        <source>Live captions</source>
        <translation>实时字幕</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="601"/>
        <source>■ Stop live captions</source>
        <translation>■ 停止实时字幕</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="602"/>
        <source>Stop listening; the recording and its words join the queue</source>
        <translation>停止聆听；录音及其文字加入队列</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="615"/>
        <source>Finishing…</source>
        <translation>正在完成…</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="625"/>
        <source>Live captions stopped: %1</source>
        <translation>实时字幕已停止：%1</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="633"/>
        <source>live captions</source>
        <translation>实时字幕</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="649"/>
        <source>kept from live captions</source>
        <translation>实时字幕保留的录音</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="651"/>
        <source>The recording is kept: %1</source>
        <translation>录音已保留：%1</translation>
    </message>
    <message>
        <location filename="../transcribe/workspace.py" line="675"/>
        <source>Cannot look inside the LSTM</source>
        <translation>无法查看 LSTM 内部</translation>
    </message>
</context>
<context>
    <name>TranscriptView</name>
    <message>
        <location filename="../transcribe/transcript_view.py" line="27"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../transcribe/transcript_view.py" line="27"/>
        <source>End</source>
        <translation>结束</translation>
    </message>
    <message>
        <location filename="../transcribe/transcript_view.py" line="27"/>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location filename="../transcribe/transcript_view.py" line="38"/>
        <source>Click a segment to hear it; double-click the text to correct it</source>
        <translation>单击片段可收听；双击文本可修改</translation>
    </message>
</context>
</TS>
