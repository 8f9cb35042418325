"""Fixed Telegram wording that does not come from the engine (plain text; render.py escapes it)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.store import ArticleView

__all__ = [
    "BOT_COMMANDS",
    "CHART_NO_DATA",
    "DB_START_FAILED",
    "DB_UNAVAILABLE",
    "ERROR",
    "FORCE_CUES",
    "MODERATOR_COMMANDS",
    "MODERATOR_HELP",
    "MOD_USAGE",
    "NO_RIGHTS",
    "NETWORK_FAILURE",
    "NON_TEXT",
    "RESET_DONE",
    "STALE_BUTTON",
    "UNKNOWN_COMMAND",
    "PRIVACY",
    "BAD_TOKEN",
    "USAGE",
    "about_lines",
    "corpus_help",
    "help_text",
    "sample_keyword",
    "start_lines",
]

NAME = "警务快答 FactBot"

ERROR = "抱歉，处理时出错了，请稍后再试。"
DB_UNAVAILABLE = "抱歉，知识库暂时无法连接，请稍后再试。"
DB_START_FAILED = "无法打开知识库数据库（{url}）：{reason}。请检查 DATABASE_URL、数据库服务和文件权限。"
STALE_BUTTON = "这个按钮已失效，请重新提问。"
NON_TEXT = "我只能读懂文字问题，请直接用文字提问，例如“{example}”"
UNKNOWN_COMMAND = "没有这个命令。发送 /help 查看可用的命令，或者直接用文字提问。"
RESET_DONE = "已清除本聊天的对话上下文，可以重新开始提问。"
CHART_NO_DATA = "没有找到与“{keyword}”相关、可以画成图表的数据，换个关键词试试，例如 /chart {sample}。"
BAD_TOKEN = (
    "未设置有效的 TELEGRAM_BOT_TOKEN（应形如 123456789:AAH…，由 @BotFather 提供），无法启动 Telegram 机器人；"
    "可以先用 `python -m bot chat` 在本地控制台试用。"
)
BAD_MODERATORS = "MODERATOR_IDS 格式不对：应为逗号分隔的 Telegram 用户数字 ID，例如 12345,67890。"
INVALID_TOKEN_REMOTE = (
    "Telegram 拒绝了这个 TELEGRAM_BOT_TOKEN（令牌无效或已被撤销），请到 @BotFather 重新获取。"
)

# Cue words appended to a keyword to force one kind of answer; the engine's parser reads them.
NETWORK_FAILURE = "无法连接 Telegram 服务器（{error}）：请检查网络连接，以及 TELEGRAM_BASE_URL 是否正确。"
FORCE_CUES: dict[str, str] = {"summary": "讲了什么", "facts": "是多少", "source": "原文"}


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    usage: str | None = None  # shown when the command needs an argument and got none


COMMANDS: tuple[Command, ...] = (
    Command("start", "开始使用，看看示例问题"),
    Command("help", "使用说明"),
    Command("articles", "浏览全部报道"),
    Command("summary", "某篇报道的摘要", "用法：/summary 关键词，例如 /summary {sample}"),
    Command("facts", "查询统计数据", "用法：/facts 关键词，例如 /facts {sample}"),
    Command("source", "查看报道原文", "用法：/source 关键词，例如 /source {sample}"),
    Command("chart", "把相关数据画成图表", "用法：/chart 关键词，例如 /chart {sample}"),
    Command("about", "知识库概况"),
    Command("reset", "清除对话上下文"),
    Command("privacy", "本机器人保存哪些信息、保存多久"),
)
BOT_COMMANDS: tuple[tuple[str, str], ...] = tuple((c.name, c.description) for c in COMMANDS)
USAGE: dict[str, str] = {c.name: c.usage for c in COMMANDS if c.usage}

def help_text(examples: list[str], sample: str) -> str:
    """The /help text; its examples come from the built corpus (Engine.examples), never fixed."""
    lines = [f"{NAME} 使用说明", "直接用中文提问即可，每个回答都注明出处，例如："]
    lines += [f"· {e}" for e in examples]
    if sample:
        lines.append(f"· 追问：接着问“那{sample}呢？”会沿用上一个问题")
    lines += ["命令：", *(f"/{c.name} — {c.description}" for c in COMMANDS)]
    lines.append("在群里请 @我 或回复我的消息；也可以在任意聊天里输入 @机器人用户名 关键词 进行内联查询。")
    return "\n".join(lines)


def corpus_help(examples: list[str], articles: Sequence[ArticleView]) -> str:
    """The /help text of a built corpus, as Telegram and the console chat show it."""
    return help_text(examples, sample_keyword([a.place for a in articles], [a.agency for a in articles]))


def sample_keyword(places: list[str | None], agencies: list[str | None]) -> str:
    """A keyword the corpus surely answers: its most reported place, else its most named unit."""
    for names in (places, agencies):
        named = [n for n in names if n]
        if named:
            return Counter(named).most_common(1)[0][0]
    return "派出所"


def start_lines(first_name: str | None, articles: int) -> list[str]:
    hello = f"您好，{first_name}！" if first_name else "您好！"
    return [
        f"{hello}我是{NAME}。",
        f"我可以回答 {articles} 篇报道里的问题：数据、摘要和原文，每个回答都注明出处，不编造数字。",
        "点下面的示例试试，或者直接输入问题：",
    ]


def about_lines(files: int, articles: int, facts: int, last_build: str | None) -> list[str]:
    return [
        f"{NAME} 知识库概况",
        f"源文件：{files} 个",
        f"报道：{articles} 篇",
        f"统计数据：{facts} 条",
        f"最近构建：{last_build or '未知'}",
    ]


# ---------------------------------------------------------------------------------- moderation
# Not in BOT_COMMANDS: the public menu is for everyone, and command scopes are not access control.
# Moderators see these in /help; every handler checks the rights itself.

MODERATOR_COMMANDS: tuple[Command, ...] = (
    Command("addfact", "新增一条数据（分步引导）"),
    Command(
        "editfact",
        "修改数据",
        "用法：/editfact 编号 字段=值 … [原因=…]，例如 /editfact 6 数值=50 单位=名 原因=核对原文；"
        "值里有空格请加引号，原因也可以写在 -- 之后。可用字段：主题 数值 单位 原文数值 变化 比较 时期 机构 约数 文章 原句",
    ),
    Command("delfact", "停用数据（不再用于回答）", "用法：/delfact 编号 [原因]，例如 /delfact 6 重复数据"),
    Command("restorefact", "恢复已停用的数据", "用法：/restorefact 编号 [原因]"),
    Command(
        "undo",
        "撤销数据的上一次修改；不带编号时撤销您上一次的问句链接或同义词修改",
        "用法：/undo 编号 [原因]",
    ),
    Command("history", "查看数据的修改记录", "用法：/history 编号，例如 /history 6"),
    Command("findfact", "按关键词查找数据编号", "用法：/findfact 关键词，例如 /findfact 嫌疑人"),
    Command("cancel", "取消进行中的操作"),
    Command("unanswered", "最常被问到却没答出的问题", "用法：/unanswered [天数]，例如 /unanswered 7"),
    Command("feedback", "最近的 👎 评价：问题和当时的回答"),
    Command(
        "link",
        "把一种问法直接链接到一条数据或一篇报道的摘要（立即生效）",
        "用法：/link 数据编号 问句，例如 /link 142 阿尔法行动战果如何；"
        "链接到报道摘要：/link 文章 文章编号 问句。原因可写在 -- 之后",
    ),
    Command("links", "查看问句链接"),
    Command("unlink", "删除一个问句链接", "用法：/unlink 链接编号或问句（/links 可查看编号）"),
    Command(
        "synonym",
        "教机器人一个同义词（立即生效）",
        "用法：/synonym 词 = 报道里的说法，例如 /synonym 电诈 = 电信诈骗",
    ),
    Command("synonyms", "查看同义词"),
    Command("unsynonym", "删除一个同义词", "用法：/unsynonym 同义词编号或词（/synonyms 可查看编号）"),
    Command("stats", "提问统计：每天的提问数、答出率、拒答和 👍/👎（附图表）", "用法：/stats [天数]"),
)
MOD_USAGE: dict[str, str] = {c.name: c.usage for c in MODERATOR_COMMANDS if c.usage}
MODERATOR_HELP = "\n".join(
    ["管理员命令（仅管理员可用）：", *(f"/{c.name} — {c.description}" for c in MODERATOR_COMMANDS)]
)

NO_RIGHTS = "您没有修改数据的权限。"
MOD_STALE = "这个按钮已失效（操作已完成、已取消或已过期），请重新发送命令。"
MOD_CANCELLED = "已取消，未做任何修改。"
MOD_FORWARDED = "这是一条转发的消息，其中的管理命令不会执行；如需操作，请直接发送命令。"
MOD_NOTHING_TO_CANCEL = "当前没有进行中的操作。"
MOD_TIMEOUT = "操作已超时，未做任何修改。需要时请重新发送 /addfact。"
MOD_STATE_UNREADABLE = (
    "这项操作的记录无法读取（可能由旧版本保存），已作废，未做任何修改。需要时请重新发送命令。"
)
MOD_FAILED = "未保存：{error}"
MOD_CONFIRM = "✅ 确认"
MOD_CANCEL = "❌ 取消"
MOD_PRESS_BUTTON = "请点上面的“✅ 确认”或“❌ 取消”，或发送 /cancel 取消。"
MOD_DEFAULT_REASON = "Telegram /{command}"
MOD_BAD_ID = "数据编号“{ref}”不是数字。"
MOD_NOT_FOUND_HINT = "可用 /findfact 关键词 查找数据编号。"
MOD_ALREADY = {
    "retired": "数据 #{id} 已经是停用状态，无需操作。",
    "active": "数据 #{id} 本来就是有效的，无需恢复。",
}
MOD_NO_HISTORY = "数据 #{id} 还没有修改记录。"
MOD_NOTHING_TO_UNDO = "数据 #{id} 没有可撤销的修改了（没有修改记录，或已全部撤销）。"
MOD_FOUND_NONE = "没有找到包含“{keyword}”的数据。"

ADD_STEPS = 6
ADD_ARTICLE = (
    "新增数据 · 第 1/6 步：选择文章。点下面的报道，或直接输入文章编号（或文章键）。随时发送 /cancel 取消。"
)
ADD_ARTICLE_PAGE = "📚 选择文章（共 {total} 篇，第 {page}/{pages} 页）"
ADD_UNKNOWN_ARTICLE = "找不到文章“{ref}”，请点按钮选择，或输入列表中的文章编号。"
ADD_SUBJECT = "第 2/6 步：输入主题，即这个数字统计的是什么，例如“抓获违法犯罪嫌疑人”。"
ADD_VALUE = "第 3/6 步：输入数值，例如 42、12.5、2万、三千五百、约500。"
ADD_UNIT = "第 4/6 步：选择单位，或直接输入（如 名、起、万元、%）。"
ADD_CHANGE = "第 5/6 步：这个数字表示上升还是下降？没有就选“无”。"
ADD_PERIOD = "第 6/6 步：输入时期，例如“今年以来”“2023年上半年”；没有就点“跳过”。"
ADD_SKIP = "跳过"
ADD_NO_CHANGE = "无"
ADD_SKIP_WORDS = frozenset({"跳过", "无", "没有", "略", "-"})
ADD_CONFIRM = "请确认新增以下数据："
ADD_DONE = "✅ 已新增数据 #{id}（版本 {version}），机器人会立即用它回答。"
ADD_REASON = "Telegram /addfact"

EDIT_CONFIRM = "请确认修改数据 #{id}（当前版本 {version}）："
EDIT_DONE = "✅ 已保存数据 #{id}（版本 {version}），机器人会立即使用新内容："
EDIT_NO_CHANGE = "数据 #{id} 的内容与修改后相同，没有变化。"
RETIRE_CONFIRM = "确认停用数据 #{id}？停用后不再用于回答，可用 /restorefact {id} 恢复。"
RETIRE_DONE = "✅ 已停用数据 #{id}（版本 {version}）。可用 /restorefact {id} 恢复。"
RESTORE_CONFIRM = "确认恢复数据 #{id}？恢复后会重新用于回答。"
RESTORE_DONE = "✅ 已恢复数据 #{id}（版本 {version}）。"
UNDO_CONFIRM = "确认撤销数据 #{id} 最近一次修改？（{at}，{actor}，原因：{reason}）"
UNDO_CREATION = "这条数据是新增的，撤销会停用它。"
UNDO_DONE = "✅ 已撤销数据 #{id} 最近一次修改（现为版本 {version}）："
HISTORY_TITLE = "📜 数据 #{id} 的修改记录（共 {count} 次，第 {page}/{pages} 页，最新在前）"
FIND_TITLE = "🔎 包含“{keyword}”的数据（{count} 条{more}）："

# ---------------------------------------------------------------------------------- curators' loop

PRIVACY = (
    "🔒 隐私说明\n"
    "· 没能回答（或只给出“您是不是想问”选项）的问题：保存规范化后的问题文字、被问次数、首次和最近提问时间、"
    "聊天类型（私聊或群聊），供管理员改进回答。\n"
    "· 您点的 👍/👎：保存问题、回答的类型和编号、回答内容和时间；为了一人一票，用户编号只以加盐散列保存。\n"
    "· 这些记录里没有姓名、用户名或聊天编号；已答出的问题只计入每天的数量。\n"
    "· 以上记录在最后一次更新 {days} 天后自动删除。\n"
    "· 为了支持追问，本聊天最近的问答上下文会保存一段时间；发送 /reset 可立即清除。"
)
VOTE_THANKS = {True: "👍 谢谢您的肯定！", False: "👎 谢谢反馈，管理员会看到这个问题。"}
VOTE_SAME = "您已经评价过这个回答了。"
VOTE_STALE = "这个回答太旧了，无法再评价。"
LOOP_BAD_DAYS = "天数应为 1 到 3650 之间的整数，例如 /{command} 7。"
LOOP_NO_UNANSWERED = "最近 {days} 天没有未答出的问题。"
LOOP_UNANSWERED_TITLE = "❓ 最近 {days} 天未答出的问题（共 {count} 个，第 {page}/{pages} 页，按次数排序）"
LOOP_NO_FEEDBACK = "还没有 👎 评价。"
LOOP_FEEDBACK_TITLE = "👎 最近的差评（共 {count} 条，第 {page}/{pages} 页，最新在前）"
LOOP_NO_LINKS = "还没有问句链接。用法：/link 数据编号 问句"
LOOP_LINKS_TITLE = "🔗 问句链接（共 {count} 个，第 {page}/{pages} 页）"
LOOP_NO_SYNONYMS = "还没有通过 /synonym 添加的同义词。"
LOOP_SYNONYMS_TITLE = "🔤 同义词（共 {count} 个，第 {page}/{pages} 页）"
LOOP_LINKED = "✅ 已链接 #{id}：{what}，立即生效。发送 /undo 可撤销，/unlink {id} 可删除。"
LOOP_UNLINKED = "✅ 已删除链接 #{id}：{what}。发送 /undo 可撤销。"
LOOP_SYNONYM_ADDED = "✅ 已添加同义词 #{id}：{what}，立即生效。发送 /undo 可撤销，/unsynonym {id} 可删除。"
LOOP_SYNONYM_REMOVED = "✅ 已删除同义词 #{id}：{what}。发送 /undo 可撤销。"
LOOP_UNDONE = "✅ 已撤销：{action}{what}（{when}，原因：{reason}）"
LOOP_UNDO_HINT = "撤销数据的修改请用 /undo 编号。"
LOOP_STATS_TITLE = "📈 最近 {days} 天的提问统计（UTC）"
LOOP_STATS_TOTAL = "合计：提问 {asked} 次，答出率 {rate}，给出选项 {chose} 次，拒答 {refused} 次，👍 {up}，👎 {down}"
