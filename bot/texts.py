"""Fixed Telegram wording that does not come from the engine (plain text; render.py escapes it)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BOT_COMMANDS",
    "CHART_NO_DATA",
    "ERROR",
    "FORCE_CUES",
    "HELP",
    "NON_TEXT",
    "RESET_DONE",
    "STALE_BUTTON",
    "UNKNOWN_COMMAND",
    "BAD_TOKEN",
    "USAGE",
    "about_lines",
    "start_lines",
]

NAME = "警务快答 FactBot"

ERROR = "抱歉，处理时出错了，请稍后再试。"
STALE_BUTTON = "这个按钮已失效，请重新提问。"
NON_TEXT = "我只能读懂文字问题，请直接用文字提问，例如“鼓楼派出所抓获了多少嫌疑人？”"
UNKNOWN_COMMAND = "没有这个命令。发送 /help 查看可用的命令，或者直接用文字提问。"
RESET_DONE = "已清除本聊天的对话上下文，可以重新开始提问。"
CHART_NO_DATA = "没有找到与“{keyword}”相关、可以画成图表的数据，换个关键词试试，例如 /chart 鼓楼派出所。"
BAD_TOKEN = (
    "未设置有效的 TELEGRAM_BOT_TOKEN（应形如 123456789:AAH…，由 @BotFather 提供），无法启动 Telegram 机器人；"
    "可以先用 `python -m bot chat` 在本地控制台试用。"
)
BAD_MODERATORS = "MODERATOR_IDS 格式不对：应为逗号分隔的 Telegram 用户数字 ID，例如 12345,67890。"
INVALID_TOKEN_REMOTE = (
    "Telegram 拒绝了这个 TELEGRAM_BOT_TOKEN（令牌无效或已被撤销），请到 @BotFather 重新获取。"
)

# Cue words appended to a keyword to force one kind of answer; the engine's parser reads them.
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
    Command("summary", "某篇报道的摘要", "用法：/summary 关键词，例如 /summary 荆门"),
    Command("facts", "查询统计数据", "用法：/facts 关键词，例如 /facts 鼓楼派出所 嫌疑人"),
    Command("source", "查看报道原文", "用法：/source 关键词，例如 /source 鼓楼派出所"),
    Command("chart", "把相关数据画成图表", "用法：/chart 关键词，例如 /chart 鼓楼派出所"),
    Command("about", "知识库概况"),
    Command("reset", "清除对话上下文"),
)
BOT_COMMANDS: tuple[tuple[str, str], ...] = tuple((c.name, c.description) for c in COMMANDS)
USAGE: dict[str, str] = {c.name: c.usage for c in COMMANDS if c.usage}

HELP = "\n".join(
    [
        f"{NAME} 使用说明",
        "直接用中文提问即可，每个回答都注明出处：",
        "· 问数据：鼓楼派出所抓获了多少嫌疑人？",
        "· 要摘要：荆门公安的报道讲了什么？",
        "· 查原文：鼓楼派出所的原文怎么说？",
        "· 追问：接着问“那荆门呢？”会沿用上一个问题",
        "命令：",
        *(f"/{c.name} — {c.description}" for c in COMMANDS),
        "在群里请 @我 或回复我的消息；也可以在任意聊天里输入 @机器人用户名 关键词 进行内联查询。",
    ]
)


def start_lines(first_name: str | None, articles: int) -> list[str]:
    hello = f"您好，{first_name}！" if first_name else "您好！"
    return [
        f"{hello}我是{NAME}。",
        f"我可以回答 {articles} 篇公安改革报道里的问题：数据、摘要和原文，每个回答都注明出处，不编造数字。",
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
