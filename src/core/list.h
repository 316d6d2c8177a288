/* An intrusive circular doubly-linked list: nodes live inside the objects they link. */
#ifndef WG_CORE_LIST_H
#define WG_CORE_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct wg_list {
	struct wg_list *next, *prev;
};

#define wg_container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

static inline void wg_list_init(struct wg_list *head)
{
	head->next = head->prev = head;
}

static inline bool wg_list_empty(const struct wg_list *head)
{
	return head->next == head;
}

static inline void wg_list_add_tail(struct wg_list *node, struct wg_list *head)
{
	node->prev = head->prev;
	node->next = head;
	head->prev->next = node;
	head->prev = node;
}

static inline void wg_list_del(struct wg_list *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	node->next = node->prev = node;
}

#define wg_list_for_each_safe(pos, tmp, head) \
	for (pos = (head)->next, tmp = pos->next; pos != (head); pos = tmp, tmp = pos->next)

#endif
