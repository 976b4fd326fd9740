//! Example phrasings of each request the offline assistant supports, for recognising
//! paraphrases by meaning: a message whose nearest example (by sentence embedding)
//! is close enough is read as that example's [`Intent`], and its slots are then read
//! by [`super::understand_as`]. Examples of things it does *not* do ([`Intent::Other`])
//! keep small talk and questions from landing on the nearest request.
//!
//! Written from the seeds' user stories (tasks with priorities, dues and tags, goals,
//! notes, schedule blocks, "what's due"), in the ways people type them; the test
//! table of paraphrases (agent/tests) uses other wordings than these.

/// A kind of request, as the offline assistant can carry it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    CreateTask,
    ListTasks,
    CompleteTask,
    DeleteTask,
    RescheduleTask,
    PrioritiseTask,
    CreateGoal,
    CreateNote,
    SearchNotes,
    CreateBlock,
    ListSchedule,
    /// Not a request the assistant supports: answered with the help text.
    Other,
}

use Intent::{
    CompleteTask, CreateBlock, CreateGoal, CreateNote, CreateTask, DeleteTask, ListSchedule,
    ListTasks, Other, PrioritiseTask, RescheduleTask, SearchNotes,
};

/// The example phrasings, each with its intent.
pub const EXAMPLES: &[(Intent, &str)] = &[
    (CreateTask, "add a task to read chapter 4 tomorrow"),
    (CreateTask, "remind me to call mom on friday"),
    (CreateTask, "I need to buy groceries tonight"),
    (CreateTask, "make sure I submit the essay by monday"),
    (CreateTask, "don't let me forget to pay the rent"),
    (CreateTask, "put finishing the lab report on my list"),
    (CreateTask, "urgent: email the professor about the exam"),
    (CreateTask, "high priority task to fix the bug due tomorrow"),
    (CreateTask, "gotta hand in the problem set by thursday"),
    (
        CreateTask,
        "can you jot down that I have to renew my library books",
    ),
    (
        CreateTask,
        "I should really start revising for the chemistry final",
    ),
    (CreateTask, "new todo: pick up the textbooks from the store"),
    (CreateTask, "remember to buy stamps tomorrow"),
    (CreateTask, "make sure I email the landlord on monday"),
    (CreateTask, "set a reminder to take my medicine at 9"),
    (CreateTask, "I really have to do my laundry this weekend"),
    (
        CreateTask,
        "I still need to write the conclusion of my report",
    ),
    (CreateTask, "make sure to back up my thesis files by sunday"),
    (ListTasks, "what's due this week"),
    (ListTasks, "what do I have to do today"),
    (ListTasks, "show me my tasks for the next few days"),
    (ListTasks, "what's on my plate over the coming week"),
    (ListTasks, "anything overdue?"),
    (ListTasks, "which assignments are still open"),
    (ListTasks, "list everything I need to get done tomorrow"),
    (ListTasks, "what deadlines are coming up"),
    (ListTasks, "what have I finished already"),
    (ListTasks, "am I falling behind on my work"),
    (ListTasks, "have I missed any deadlines"),
    (CompleteTask, "mark the essay as done"),
    (CompleteTask, "I finished the reading for history"),
    (CompleteTask, "just handed in the lab report"),
    (CompleteTask, "done with the calculus homework"),
    (CompleteTask, "tick off buying milk"),
    (CompleteTask, "the physics problem set is finished"),
    (CompleteTask, "I've wrapped up the presentation slides"),
    (CompleteTask, "finally submitted my thesis draft"),
    (CompleteTask, "sent off my internship application"),
    (CompleteTask, "crushed the maths worksheet"),
    (CompleteTask, "got the biology quiz prep out of the way"),
    (CompleteTask, "nailed the spanish vocab practice"),
    (CompleteTask, "knocked out the essay outline this morning"),
    (DeleteTask, "delete the task about the gym"),
    (DeleteTask, "remove the essay outline from my list"),
    (DeleteTask, "get rid of the reminder to call the bank"),
    (DeleteTask, "I don't need the grocery task anymore"),
    (DeleteTask, "scrap the chemistry flashcards task"),
    (DeleteTask, "drop the library task, it's not happening"),
    (DeleteTask, "take the dentist appointment off my todo list"),
    (RescheduleTask, "move the essay to friday"),
    (RescheduleTask, "push the lab report back to next monday"),
    (RescheduleTask, "postpone reading chapter 5 until tomorrow"),
    (
        RescheduleTask,
        "can we do the physics homework on thursday instead",
    ),
    (
        RescheduleTask,
        "change the due date of the project to december 20",
    ),
    (RescheduleTask, "the presentation is now due next week"),
    (RescheduleTask, "delay the laundry till the weekend"),
    (PrioritiseTask, "make the essay urgent"),
    (PrioritiseTask, "the thesis draft is top priority now"),
    (PrioritiseTask, "bump the exam revision to high priority"),
    (PrioritiseTask, "set the priority of the grocery run to low"),
    (
        PrioritiseTask,
        "flag the scholarship application as important",
    ),
    (CreateGoal, "set a goal to finish my thesis by june"),
    (CreateGoal, "my goal is to read 20 books this year"),
    (
        CreateGoal,
        "I want to get an A in organic chemistry this semester",
    ),
    (
        CreateGoal,
        "I'm aiming to be fluent in spanish by the end of next year",
    ),
    (CreateGoal, "new goal: run a half marathon in april"),
    (CreateGoal, "I'd like to work towards passing the bar exam"),
    (
        CreateGoal,
        "I'm aiming to improve my GPA by the end of the semester",
    ),
    (
        CreateGoal,
        "my ambition is to finish a marathon by next year",
    ),
    (CreateNote, "note: the exam is in room 4"),
    (CreateNote, "write down that the lab moved to building C"),
    (
        CreateNote,
        "remember that mitochondria are the powerhouse of the cell",
    ),
    (
        CreateNote,
        "save this for later: office hours are tuesdays at 3",
    ),
    (
        CreateNote,
        "quick note, the professor said chapter 9 is not on the test",
    ),
    (
        CreateNote,
        "jot this down: the wifi password is on the fridge",
    ),
    (SearchNotes, "search my notes for photosynthesis"),
    (SearchNotes, "what did I write about the french revolution"),
    (SearchNotes, "find my notes on linear algebra"),
    (SearchNotes, "do I have anything written down about enzymes"),
    (SearchNotes, "pull up what I noted on supply and demand"),
    (SearchNotes, "where did I put my notes about the cold war"),
    (CreateBlock, "block 2-4pm tomorrow for physics"),
    (
        CreateBlock,
        "schedule a study session on friday at 10am for 2 hours",
    ),
    (CreateBlock, "book the gym on saturday at 8am"),
    (
        CreateBlock,
        "set aside an hour tonight at 8 to revise calculus",
    ),
    (
        CreateBlock,
        "put a two hour block for essay writing on thursday at 2pm",
    ),
    (
        CreateBlock,
        "pencil in some reading time tomorrow morning at 9",
    ),
    (
        CreateBlock,
        "I want to study biology from 3 to 5 this afternoon",
    ),
    (ListSchedule, "what's on my schedule this week"),
    (ListSchedule, "what does my calendar look like tomorrow"),
    (ListSchedule, "am I free on friday afternoon"),
    (ListSchedule, "show my timetable for the next few days"),
    (ListSchedule, "what sessions have I booked today"),
    (ListSchedule, "how busy am I over the coming week"),
    (ListSchedule, "do I have any sessions planned on monday"),
    (ListSchedule, "are there any blocks on my calendar thursday"),
    (Other, "hello"),
    (Other, "how are you doing today"),
    (Other, "what is the meaning of life"),
    (Other, "tell me a joke"),
    (Other, "what's the weather like"),
    (Other, "who won the football game last night"),
    (Other, "explain quantum entanglement to me"),
    (Other, "thanks, that's all"),
    (Other, "I'm feeling stressed about exams"),
    (Other, "what can you do"),
    (Other, "translate this into german"),
    (Other, "write me a poem about autumn"),
    (Other, "asdf qwerty zxcv"),
    (Other, "the quick brown fox jumps over the lazy dog"),
    (Other, "explain how gravity works"),
    (Other, "what's two plus two"),
    (Other, "the sky is really blue today"),
];

impl Intent {
    /// Whether the request names an existing task (resolved before it runs).
    #[must_use]
    pub fn names_a_task(self) -> bool {
        matches!(
            self,
            CompleteTask | DeleteTask | RescheduleTask | PrioritiseTask
        )
    }
}
